#ifndef OMOTE_CXCBSHIM_H
#define OMOTE_CXCBSHIM_H

// libxcb, loaded at run time rather than linked (like libturbojpeg and libv4l2): only a process that opens a window
// ever maps libxcb.so.1. <xcb/xcb.h> (libxcb1-dev) is included for its types and constants only; calling an xcb_*
// function directly would not link, so Swift calls the omote_xcb_* wrappers below, which go through the table
// resolved once by omote_xcb_load.
#include <stddef.h>
#include <stdint.h>
#include <xcb/xcb.h>

#define OMOTE_XCB_LIBRARY "libxcb.so.1"

/// dlopen()s libxcb.so.1 (RTLD_NOW | RTLD_LOCAL) and resolves every function below, once per process; thread-safe
/// and idempotent. Returns 0, or -1 with dlerror()'s text (or the missing symbol) in `message`.
int omote_xcb_load(char *message, size_t capacity);

/// Whether `omote_xcb_load` has succeeded in this process. The wrappers below may be called only then.
int omote_xcb_is_loaded(void);

// The xcb functions Omote uses, same signatures as in <xcb/xcb.h> / <xcb/xproto.h>.
xcb_connection_t *omote_xcb_connect(const char *displayname, int *screenp);
void omote_xcb_disconnect(xcb_connection_t *c);
int omote_xcb_connection_has_error(xcb_connection_t *c);
int omote_xcb_get_file_descriptor(xcb_connection_t *c);
int omote_xcb_flush(xcb_connection_t *c);
uint32_t omote_xcb_get_maximum_request_length(xcb_connection_t *c);
const xcb_setup_t *omote_xcb_get_setup(xcb_connection_t *c);
uint32_t omote_xcb_generate_id(xcb_connection_t *c);
xcb_generic_error_t *omote_xcb_request_check(xcb_connection_t *c, xcb_void_cookie_t cookie);

xcb_void_cookie_t omote_xcb_create_window_checked(
    xcb_connection_t *c, uint8_t depth, xcb_window_t wid, xcb_window_t parent, int16_t x, int16_t y, uint16_t width,
    uint16_t height, uint16_t border_width, uint16_t _class, xcb_visualid_t visual, uint32_t value_mask,
    const void *value_list);
xcb_void_cookie_t omote_xcb_destroy_window(xcb_connection_t *c, xcb_window_t window);
xcb_void_cookie_t omote_xcb_map_window(xcb_connection_t *c, xcb_window_t window);
xcb_void_cookie_t omote_xcb_configure_window(
    xcb_connection_t *c, xcb_window_t window, uint16_t value_mask, const void *value_list);
xcb_void_cookie_t omote_xcb_create_colormap(
    xcb_connection_t *c, uint8_t alloc, xcb_colormap_t mid, xcb_window_t window, xcb_visualid_t visual);
xcb_void_cookie_t omote_xcb_create_gc(
    xcb_connection_t *c, xcb_gcontext_t cid, xcb_drawable_t drawable, uint32_t value_mask, const void *value_list);

xcb_intern_atom_cookie_t omote_xcb_intern_atom(
    xcb_connection_t *c, uint8_t only_if_exists, uint16_t name_len, const char *name);
xcb_intern_atom_reply_t *omote_xcb_intern_atom_reply(
    xcb_connection_t *c, xcb_intern_atom_cookie_t cookie, xcb_generic_error_t **e);
xcb_void_cookie_t omote_xcb_change_property(
    xcb_connection_t *c, uint8_t mode, xcb_window_t window, xcb_atom_t property, xcb_atom_t type, uint8_t format,
    uint32_t data_len, const void *data);
xcb_get_property_cookie_t omote_xcb_get_property(
    xcb_connection_t *c, uint8_t _delete, xcb_window_t window, xcb_atom_t property, xcb_atom_t type,
    uint32_t long_offset, uint32_t long_length);
xcb_get_property_reply_t *omote_xcb_get_property_reply(
    xcb_connection_t *c, xcb_get_property_cookie_t cookie, xcb_generic_error_t **e);
void *omote_xcb_get_property_value(const xcb_get_property_reply_t *R);
int omote_xcb_get_property_value_length(const xcb_get_property_reply_t *R);
xcb_get_selection_owner_cookie_t omote_xcb_get_selection_owner(xcb_connection_t *c, xcb_atom_t selection);
xcb_get_selection_owner_reply_t *omote_xcb_get_selection_owner_reply(
    xcb_connection_t *c, xcb_get_selection_owner_cookie_t cookie, xcb_generic_error_t **e);
xcb_void_cookie_t omote_xcb_set_selection_owner(
    xcb_connection_t *c, xcb_window_t owner, xcb_atom_t selection, xcb_timestamp_t time);

xcb_void_cookie_t omote_xcb_put_image(
    xcb_connection_t *c, uint8_t format, xcb_drawable_t drawable, xcb_gcontext_t gc, uint16_t width, uint16_t height,
    int16_t dst_x, int16_t dst_y, uint8_t left_pad, uint8_t depth, uint32_t data_len, const uint8_t *data);
xcb_get_image_cookie_t omote_xcb_get_image(
    xcb_connection_t *c, uint8_t format, xcb_drawable_t drawable, int16_t x, int16_t y, uint16_t width,
    uint16_t height, uint32_t plane_mask);
xcb_get_image_reply_t *omote_xcb_get_image_reply(
    xcb_connection_t *c, xcb_get_image_cookie_t cookie, xcb_generic_error_t **e);
uint8_t *omote_xcb_get_image_data(const xcb_get_image_reply_t *R);
int omote_xcb_get_image_data_length(const xcb_get_image_reply_t *R);

// Window tree and geometry: how the tests find a session's window among the display's windows.
xcb_query_tree_cookie_t omote_xcb_query_tree(xcb_connection_t *c, xcb_window_t window);
xcb_query_tree_reply_t *omote_xcb_query_tree_reply(
    xcb_connection_t *c, xcb_query_tree_cookie_t cookie, xcb_generic_error_t **e);
xcb_window_t *omote_xcb_query_tree_children(const xcb_query_tree_reply_t *R);
int omote_xcb_query_tree_children_length(const xcb_query_tree_reply_t *R);
xcb_get_geometry_cookie_t omote_xcb_get_geometry(xcb_connection_t *c, xcb_drawable_t drawable);
xcb_get_geometry_reply_t *omote_xcb_get_geometry_reply(
    xcb_connection_t *c, xcb_get_geometry_cookie_t cookie, xcb_generic_error_t **e);

xcb_get_keyboard_mapping_cookie_t omote_xcb_get_keyboard_mapping(
    xcb_connection_t *c, xcb_keycode_t first_keycode, uint8_t count);
xcb_get_keyboard_mapping_reply_t *omote_xcb_get_keyboard_mapping_reply(
    xcb_connection_t *c, xcb_get_keyboard_mapping_cookie_t cookie, xcb_generic_error_t **e);
xcb_keysym_t *omote_xcb_get_keyboard_mapping_keysyms(const xcb_get_keyboard_mapping_reply_t *R);
int omote_xcb_get_keyboard_mapping_keysyms_length(const xcb_get_keyboard_mapping_reply_t *R);

xcb_void_cookie_t omote_xcb_send_event(
    xcb_connection_t *c, uint8_t propagate, xcb_window_t destination, uint32_t event_mask, const char *event);

// Helpers for what is awkward from Swift: walking the setup's variable-length lists, and events by response type.

/// Screen `number` of the setup, or NULL when there is no such screen.
const xcb_screen_t *omote_xcb_screen(const xcb_setup_t *setup, int number);

/// The visual `visual` of `screen`: its depth and its visualtype (class, masks) copied to `out`. 0, or -1 if absent.
int omote_xcb_visual(const xcb_screen_t *screen, xcb_visualid_t visual, uint8_t *depth, xcb_visualtype_t *out);

/// The first TrueColor visual of depth 32 with red/green/blue masks 0xff0000/0xff00/0xff (ARGB), or 0 when none.
xcb_visualid_t omote_xcb_argb_visual(const xcb_screen_t *screen);

/// The ZPixmap bits per pixel and scanline pad of `depth` from the setup's pixmap formats. 0, or -1 if not listed.
int omote_xcb_pixmap_format(const xcb_setup_t *setup, uint8_t depth, uint8_t *bits_per_pixel, uint8_t *scanline_pad);

/// What an event is, as far as the window cares.
typedef enum omote_xcb_event_kind {
    OMOTE_XCB_EVENT_OTHER = 0,
    OMOTE_XCB_EVENT_KEY_PRESS,
    OMOTE_XCB_EVENT_EXPOSE,
    OMOTE_XCB_EVENT_CONFIGURE,
    OMOTE_XCB_EVENT_CLIENT_MESSAGE,
    OMOTE_XCB_EVENT_MAPPING,
    OMOTE_XCB_EVENT_MAP,
    /// An error reply to an unchecked request (e.g. a put_image the server refused).
    OMOTE_XCB_EVENT_ERROR,
} omote_xcb_event_kind;

/// One event's fields the window uses, flattened (which are set depends on `kind`).
typedef struct omote_xcb_event {
    omote_xcb_event_kind kind;
    xcb_window_t window;
    /// KeyPress: the key and the modifier state.
    xcb_keycode_t keycode;
    uint16_t state;
    /// ConfigureNotify: the new size. Expose: how many more Expose events follow.
    uint16_t width;
    uint16_t height;
    uint16_t count;
    /// ClientMessage: the message type and the first 32-bit datum (WM_PROTOCOLS, WM_DELETE_WINDOW).
    xcb_atom_t message_type;
    uint32_t data0;
    uint8_t format;
    /// Error: the X error code and the major opcode of the failed request.
    uint8_t error_code;
    uint8_t major_code;
} omote_xcb_event;

/// Takes the next queued event without blocking (xcb_poll_for_event), decodes it into `out` and frees it.
/// Returns 1 when there was one, 0 when none is pending (or the connection has broken).
int omote_xcb_next_event(xcb_connection_t *c, omote_xcb_event *out);

#endif
