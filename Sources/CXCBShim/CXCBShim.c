#include "CXCBShim.h"

#include <stdlib.h>
#include <string.h>

#include "CRuntimeLibrary.h"

// Every libxcb function Omote calls, once: the index enum, the names table and the wrappers' casts come from it.
#define OMOTE_XCB_FUNCTIONS(X)                                                                                         \
    X(xcb_connect)                                                                                                     \
    X(xcb_disconnect)                                                                                                  \
    X(xcb_connection_has_error)                                                                                        \
    X(xcb_get_file_descriptor)                                                                                         \
    X(xcb_flush)                                                                                                       \
    X(xcb_get_maximum_request_length)                                                                                  \
    X(xcb_get_setup)                                                                                                   \
    X(xcb_generate_id)                                                                                                 \
    X(xcb_request_check)                                                                                               \
    X(xcb_poll_for_event)                                                                                              \
    X(xcb_setup_roots_iterator)                                                                                        \
    X(xcb_screen_next)                                                                                                 \
    X(xcb_screen_allowed_depths_iterator)                                                                              \
    X(xcb_depth_next)                                                                                                  \
    X(xcb_depth_visuals_iterator)                                                                                      \
    X(xcb_visualtype_next)                                                                                             \
    X(xcb_setup_pixmap_formats)                                                                                        \
    X(xcb_setup_pixmap_formats_length)                                                                                 \
    X(xcb_create_window_checked)                                                                                       \
    X(xcb_destroy_window)                                                                                              \
    X(xcb_map_window)                                                                                                  \
    X(xcb_configure_window)                                                                                            \
    X(xcb_create_colormap)                                                                                             \
    X(xcb_create_gc)                                                                                                   \
    X(xcb_intern_atom)                                                                                                 \
    X(xcb_intern_atom_reply)                                                                                           \
    X(xcb_change_property)                                                                                             \
    X(xcb_get_property)                                                                                                \
    X(xcb_get_property_reply)                                                                                          \
    X(xcb_get_property_value)                                                                                          \
    X(xcb_get_property_value_length)                                                                                   \
    X(xcb_get_selection_owner)                                                                                         \
    X(xcb_get_selection_owner_reply)                                                                                   \
    X(xcb_set_selection_owner)                                                                                         \
    X(xcb_put_image)                                                                                                   \
    X(xcb_get_image)                                                                                                   \
    X(xcb_get_image_reply)                                                                                             \
    X(xcb_get_image_data)                                                                                              \
    X(xcb_get_image_data_length)                                                                                       \
    X(xcb_get_keyboard_mapping)                                                                                        \
    X(xcb_get_keyboard_mapping_reply)                                                                                  \
    X(xcb_get_keyboard_mapping_keysyms)                                                                                \
    X(xcb_get_keyboard_mapping_keysyms_length)                                                                         \
    X(xcb_send_event)                                                                                                  \
    X(xcb_query_tree)                                                                                                  \
    X(xcb_query_tree_reply)                                                                                            \
    X(xcb_query_tree_children)                                                                                         \
    X(xcb_query_tree_children_length)                                                                                  \
    X(xcb_get_geometry)                                                                                                \
    X(xcb_get_geometry_reply)

#define OMOTE_XCB_INDEX(name) INDEX_##name,
enum { OMOTE_XCB_FUNCTIONS(OMOTE_XCB_INDEX) FUNCTION_COUNT };
#define OMOTE_XCB_NAME(name) #name,
static const char *const names[FUNCTION_COUNT] = {OMOTE_XCB_FUNCTIONS(OMOTE_XCB_NAME)};
static void *table[FUNCTION_COUNT];
static omote_runtime_library library = {
    OMOTE_XCB_LIBRARY, " (Omote needs libxcb 1.9 or later)", names, table, FUNCTION_COUNT, 0,
    PTHREAD_MUTEX_INITIALIZER,
};

// The resolved `name`, typed as the function <xcb/xcb.h> declares (typeof takes no address at run time, so nothing
// links against libxcb).
#define XCB(name) ((__typeof__(&name))table[INDEX_##name])

int omote_xcb_load(char *message, size_t capacity) { return omote_runtime_library_load(&library, message, capacity); }

int omote_xcb_is_loaded(void) { return omote_runtime_library_is_loaded(&library); }

xcb_connection_t *omote_xcb_connect(const char *displayname, int *screenp) {
    return XCB(xcb_connect)(displayname, screenp);
}
void omote_xcb_disconnect(xcb_connection_t *c) { XCB(xcb_disconnect)(c); }
int omote_xcb_connection_has_error(xcb_connection_t *c) { return XCB(xcb_connection_has_error)(c); }
int omote_xcb_get_file_descriptor(xcb_connection_t *c) { return XCB(xcb_get_file_descriptor)(c); }
int omote_xcb_flush(xcb_connection_t *c) { return XCB(xcb_flush)(c); }
uint32_t omote_xcb_get_maximum_request_length(xcb_connection_t *c) {
    return XCB(xcb_get_maximum_request_length)(c);
}
const xcb_setup_t *omote_xcb_get_setup(xcb_connection_t *c) { return XCB(xcb_get_setup)(c); }
uint32_t omote_xcb_generate_id(xcb_connection_t *c) { return XCB(xcb_generate_id)(c); }
xcb_generic_error_t *omote_xcb_request_check(xcb_connection_t *c, xcb_void_cookie_t cookie) {
    return XCB(xcb_request_check)(c, cookie);
}

xcb_void_cookie_t omote_xcb_create_window_checked(
    xcb_connection_t *c, uint8_t depth, xcb_window_t wid, xcb_window_t parent, int16_t x, int16_t y, uint16_t width,
    uint16_t height, uint16_t border_width, uint16_t _class, xcb_visualid_t visual, uint32_t value_mask,
    const void *value_list) {
    return XCB(xcb_create_window_checked)(
        c, depth, wid, parent, x, y, width, height, border_width, _class, visual, value_mask, value_list);
}
xcb_void_cookie_t omote_xcb_destroy_window(xcb_connection_t *c, xcb_window_t window) {
    return XCB(xcb_destroy_window)(c, window);
}
xcb_void_cookie_t omote_xcb_map_window(xcb_connection_t *c, xcb_window_t window) {
    return XCB(xcb_map_window)(c, window);
}
xcb_void_cookie_t omote_xcb_configure_window(
    xcb_connection_t *c, xcb_window_t window, uint16_t value_mask, const void *value_list) {
    return XCB(xcb_configure_window)(c, window, value_mask, value_list);
}
xcb_void_cookie_t omote_xcb_create_colormap(
    xcb_connection_t *c, uint8_t alloc, xcb_colormap_t mid, xcb_window_t window, xcb_visualid_t visual) {
    return XCB(xcb_create_colormap)(c, alloc, mid, window, visual);
}
xcb_void_cookie_t omote_xcb_create_gc(
    xcb_connection_t *c, xcb_gcontext_t cid, xcb_drawable_t drawable, uint32_t value_mask, const void *value_list) {
    return XCB(xcb_create_gc)(c, cid, drawable, value_mask, value_list);
}

xcb_intern_atom_cookie_t omote_xcb_intern_atom(
    xcb_connection_t *c, uint8_t only_if_exists, uint16_t name_len, const char *name) {
    return XCB(xcb_intern_atom)(c, only_if_exists, name_len, name);
}
xcb_intern_atom_reply_t *omote_xcb_intern_atom_reply(
    xcb_connection_t *c, xcb_intern_atom_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_intern_atom_reply)(c, cookie, e);
}
xcb_void_cookie_t omote_xcb_change_property(
    xcb_connection_t *c, uint8_t mode, xcb_window_t window, xcb_atom_t property, xcb_atom_t type, uint8_t format,
    uint32_t data_len, const void *data) {
    return XCB(xcb_change_property)(c, mode, window, property, type, format, data_len, data);
}
xcb_get_property_cookie_t omote_xcb_get_property(
    xcb_connection_t *c, uint8_t _delete, xcb_window_t window, xcb_atom_t property, xcb_atom_t type,
    uint32_t long_offset, uint32_t long_length) {
    return XCB(xcb_get_property)(c, _delete, window, property, type, long_offset, long_length);
}
xcb_get_property_reply_t *omote_xcb_get_property_reply(
    xcb_connection_t *c, xcb_get_property_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_get_property_reply)(c, cookie, e);
}
void *omote_xcb_get_property_value(const xcb_get_property_reply_t *R) { return XCB(xcb_get_property_value)(R); }
int omote_xcb_get_property_value_length(const xcb_get_property_reply_t *R) {
    return XCB(xcb_get_property_value_length)(R);
}
xcb_get_selection_owner_cookie_t omote_xcb_get_selection_owner(xcb_connection_t *c, xcb_atom_t selection) {
    return XCB(xcb_get_selection_owner)(c, selection);
}
xcb_get_selection_owner_reply_t *omote_xcb_get_selection_owner_reply(
    xcb_connection_t *c, xcb_get_selection_owner_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_get_selection_owner_reply)(c, cookie, e);
}
xcb_void_cookie_t omote_xcb_set_selection_owner(
    xcb_connection_t *c, xcb_window_t owner, xcb_atom_t selection, xcb_timestamp_t time) {
    return XCB(xcb_set_selection_owner)(c, owner, selection, time);
}

xcb_void_cookie_t omote_xcb_put_image(
    xcb_connection_t *c, uint8_t format, xcb_drawable_t drawable, xcb_gcontext_t gc, uint16_t width, uint16_t height,
    int16_t dst_x, int16_t dst_y, uint8_t left_pad, uint8_t depth, uint32_t data_len, const uint8_t *data) {
    return XCB(xcb_put_image)(c, format, drawable, gc, width, height, dst_x, dst_y, left_pad, depth, data_len, data);
}
xcb_get_image_cookie_t omote_xcb_get_image(
    xcb_connection_t *c, uint8_t format, xcb_drawable_t drawable, int16_t x, int16_t y, uint16_t width,
    uint16_t height, uint32_t plane_mask) {
    return XCB(xcb_get_image)(c, format, drawable, x, y, width, height, plane_mask);
}
xcb_get_image_reply_t *omote_xcb_get_image_reply(
    xcb_connection_t *c, xcb_get_image_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_get_image_reply)(c, cookie, e);
}
uint8_t *omote_xcb_get_image_data(const xcb_get_image_reply_t *R) { return XCB(xcb_get_image_data)(R); }
int omote_xcb_get_image_data_length(const xcb_get_image_reply_t *R) { return XCB(xcb_get_image_data_length)(R); }

xcb_query_tree_cookie_t omote_xcb_query_tree(xcb_connection_t *c, xcb_window_t window) {
    return XCB(xcb_query_tree)(c, window);
}
xcb_query_tree_reply_t *omote_xcb_query_tree_reply(
    xcb_connection_t *c, xcb_query_tree_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_query_tree_reply)(c, cookie, e);
}
xcb_window_t *omote_xcb_query_tree_children(const xcb_query_tree_reply_t *R) {
    return XCB(xcb_query_tree_children)(R);
}
int omote_xcb_query_tree_children_length(const xcb_query_tree_reply_t *R) {
    return XCB(xcb_query_tree_children_length)(R);
}
xcb_get_geometry_cookie_t omote_xcb_get_geometry(xcb_connection_t *c, xcb_drawable_t drawable) {
    return XCB(xcb_get_geometry)(c, drawable);
}
xcb_get_geometry_reply_t *omote_xcb_get_geometry_reply(
    xcb_connection_t *c, xcb_get_geometry_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_get_geometry_reply)(c, cookie, e);
}

xcb_get_keyboard_mapping_cookie_t omote_xcb_get_keyboard_mapping(
    xcb_connection_t *c, xcb_keycode_t first_keycode, uint8_t count) {
    return XCB(xcb_get_keyboard_mapping)(c, first_keycode, count);
}
xcb_get_keyboard_mapping_reply_t *omote_xcb_get_keyboard_mapping_reply(
    xcb_connection_t *c, xcb_get_keyboard_mapping_cookie_t cookie, xcb_generic_error_t **e) {
    return XCB(xcb_get_keyboard_mapping_reply)(c, cookie, e);
}
xcb_keysym_t *omote_xcb_get_keyboard_mapping_keysyms(const xcb_get_keyboard_mapping_reply_t *R) {
    return XCB(xcb_get_keyboard_mapping_keysyms)(R);
}
int omote_xcb_get_keyboard_mapping_keysyms_length(const xcb_get_keyboard_mapping_reply_t *R) {
    return XCB(xcb_get_keyboard_mapping_keysyms_length)(R);
}

xcb_void_cookie_t omote_xcb_send_event(
    xcb_connection_t *c, uint8_t propagate, xcb_window_t destination, uint32_t event_mask, const char *event) {
    return XCB(xcb_send_event)(c, propagate, destination, event_mask, event);
}

const xcb_screen_t *omote_xcb_screen(const xcb_setup_t *setup, int number) {
    xcb_screen_iterator_t screens = XCB(xcb_setup_roots_iterator)(setup);
    for (int index = 0; screens.rem > 0; index++, XCB(xcb_screen_next)(&screens)) {
        if (index == number) return screens.data;
    }
    return NULL;
}

int omote_xcb_visual(const xcb_screen_t *screen, xcb_visualid_t visual, uint8_t *depth, xcb_visualtype_t *out) {
    xcb_depth_iterator_t depths = XCB(xcb_screen_allowed_depths_iterator)(screen);
    for (; depths.rem > 0; XCB(xcb_depth_next)(&depths)) {
        xcb_visualtype_iterator_t visuals = XCB(xcb_depth_visuals_iterator)(depths.data);
        for (; visuals.rem > 0; XCB(xcb_visualtype_next)(&visuals)) {
            if (visuals.data->visual_id == visual) {
                *depth = depths.data->depth;
                *out = *visuals.data;
                return 0;
            }
        }
    }
    return -1;
}

xcb_visualid_t omote_xcb_argb_visual(const xcb_screen_t *screen) {
    xcb_depth_iterator_t depths = XCB(xcb_screen_allowed_depths_iterator)(screen);
    for (; depths.rem > 0; XCB(xcb_depth_next)(&depths)) {
        if (depths.data->depth != 32) continue;
        xcb_visualtype_iterator_t visuals = XCB(xcb_depth_visuals_iterator)(depths.data);
        for (; visuals.rem > 0; XCB(xcb_visualtype_next)(&visuals)) {
            const xcb_visualtype_t *v = visuals.data;
            if (v->_class == XCB_VISUAL_CLASS_TRUE_COLOR && v->red_mask == 0xff0000 && v->green_mask == 0xff00 &&
                v->blue_mask == 0xff) {
                return v->visual_id;
            }
        }
    }
    return 0;
}

int omote_xcb_pixmap_format(const xcb_setup_t *setup, uint8_t depth, uint8_t *bits_per_pixel, uint8_t *scanline_pad) {
    const xcb_format_t *formats = XCB(xcb_setup_pixmap_formats)(setup);
    int count = XCB(xcb_setup_pixmap_formats_length)(setup);
    for (int index = 0; index < count; index++) {
        if (formats[index].depth == depth) {
            *bits_per_pixel = formats[index].bits_per_pixel;
            *scanline_pad = formats[index].scanline_pad;
            return 0;
        }
    }
    return -1;
}

int omote_xcb_next_event(xcb_connection_t *c, omote_xcb_event *out) {
    xcb_generic_event_t *event = XCB(xcb_poll_for_event)(c);
    if (event == NULL) return 0;
    memset(out, 0, sizeof *out);
    // The top bit marks an event sent by another client (xcb_send_event): a window manager's WM_DELETE_WINDOW.
    switch (event->response_type & 0x7f) {
    case 0: {
        const xcb_generic_error_t *error = (const xcb_generic_error_t *)event;
        out->kind = OMOTE_XCB_EVENT_ERROR;
        out->error_code = error->error_code;
        out->major_code = error->major_code;
        break;
    }
    case XCB_KEY_PRESS: {
        const xcb_key_press_event_t *key = (const xcb_key_press_event_t *)event;
        out->kind = OMOTE_XCB_EVENT_KEY_PRESS;
        out->window = key->event;
        out->keycode = key->detail;
        out->state = key->state;
        break;
    }
    case XCB_EXPOSE: {
        const xcb_expose_event_t *expose = (const xcb_expose_event_t *)event;
        out->kind = OMOTE_XCB_EVENT_EXPOSE;
        out->window = expose->window;
        out->count = expose->count;
        break;
    }
    case XCB_CONFIGURE_NOTIFY: {
        const xcb_configure_notify_event_t *configure = (const xcb_configure_notify_event_t *)event;
        out->kind = OMOTE_XCB_EVENT_CONFIGURE;
        out->window = configure->window;
        out->width = configure->width;
        out->height = configure->height;
        break;
    }
    case XCB_CLIENT_MESSAGE: {
        const xcb_client_message_event_t *message = (const xcb_client_message_event_t *)event;
        out->kind = OMOTE_XCB_EVENT_CLIENT_MESSAGE;
        out->window = message->window;
        out->message_type = message->type;
        out->format = message->format;
        out->data0 = message->data.data32[0];
        break;
    }
    case XCB_MAPPING_NOTIFY:
        out->kind = OMOTE_XCB_EVENT_MAPPING;
        break;
    case XCB_MAP_NOTIFY: {
        const xcb_map_notify_event_t *map = (const xcb_map_notify_event_t *)event;
        out->kind = OMOTE_XCB_EVENT_MAP;
        out->window = map->window;
        break;
    }
    default:
        out->kind = OMOTE_XCB_EVENT_OTHER;
        break;
    }
    free(event);
    return 1;
}
