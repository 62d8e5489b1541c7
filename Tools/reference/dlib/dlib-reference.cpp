// Dev-time reference for Omote's landmark stage (never part of the package build; see build.sh).
//
// fixture MODE: decodes every SampleFrames JPEG to luma exactly as Omote's JPEGDecoder does (libturbojpeg
// tjDecompress2, TJPF_GRAY, TJFLAG_ACCURATEDCT), runs dlib's HOG frontal_face_detector (no upsampling) and dlib's
// shape predictor on every detected face, and writes one TSV row per face:
//   clip frame left top right bottom points rounded
// `points` are the 68 landmarks before dlib's final integer rounding (computed by dlib's own impl:: routines on the
// model's own deserialized structures), `rounded` is dlib's public shape_predictor output.
//
// bench MODE: reads the rectangles of an existing fixture and times dlib's public shape_predictor on the same
// images + rectangles (single thread), printing microseconds per face.
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/serialize.h>
#include <turbojpeg.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

const char* const kClips[] = {"single_face", "face_noface", "no_face"};

struct Frame {
    std::string clip;
    int index;
    std::string file;
};

std::vector<Frame> readManifest(const std::string& root, const std::string& clip) {
    std::ifstream in(root + "/" + clip + "/manifest.tsv");
    if (!in) throw std::runtime_error("cannot open " + root + "/" + clip + "/manifest.tsv");
    std::string line;
    std::getline(in, line);  // header: index timestamp_us file
    std::vector<Frame> frames;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::istringstream fields(line);
        Frame frame{clip, 0, ""};
        long long timestamp = 0;
        fields >> frame.index >> timestamp >> frame.file;
        frames.push_back(frame);
    }
    return frames;
}

std::vector<unsigned char> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return std::vector<unsigned char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Same call and flags as Omote's JPEGDecoder.decodeLuma (scale 1/1): byte-identical luma.
void decodeLuma(tjhandle handle, const std::string& path, dlib::array2d<unsigned char>& image) {
    std::vector<unsigned char> jpeg = readFile(path);
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle, jpeg.data(), jpeg.size(), &width, &height, &subsampling, &colorspace) != 0)
        throw std::runtime_error(path + ": " + tjGetErrorStr2(handle));
    image.set_size(height, width);
    if (tjDecompress2(handle, jpeg.data(), jpeg.size(), &image[0][0], width, width, height, TJPF_GRAY,
                      TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING) != 0)
        throw std::runtime_error(path + ": " + tjGetErrorStr2(handle));
    if (image.width_step() != static_cast<long>(width)) throw std::runtime_error("array2d rows are not contiguous");
}

// The model's own structures, read exactly as dlib's deserialize(shape_predictor&) reads them.
struct Model {
    dlib::matrix<float, 0, 1> initialShape;
    std::vector<std::vector<dlib::impl::regression_tree>> forests;
    std::vector<std::vector<unsigned long>> anchorIndex;
    std::vector<std::vector<dlib::vector<float, 2>>> deltas;
};

Model loadModel(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    Model model;
    int version = 0;
    dlib::deserialize(version, in);
    if (version != 1) throw std::runtime_error("unexpected shape_predictor version");
    dlib::deserialize(model.initialShape, in);
    dlib::deserialize(model.forests, in);
    dlib::deserialize(model.anchorIndex, in);
    dlib::deserialize(model.deltas, in);
    return model;
}

// dlib's shape_predictor::operator() step for step, minus the final conversion of each part to an integer point.
std::vector<dlib::vector<double, 2>> predictUnrounded(const Model& model, const dlib::array2d<unsigned char>& image,
                                                      const dlib::rectangle& rect) {
    using namespace dlib::impl;
    dlib::matrix<float, 0, 1> currentShape = model.initialShape;
    std::vector<float> featurePixelValues;
    for (unsigned long level = 0; level < model.forests.size(); ++level) {
        extract_feature_pixel_values(image, rect, currentShape, model.initialShape, model.anchorIndex[level],
                                     model.deltas[level], featurePixelValues);
        unsigned long leaf = 0;
        for (unsigned long tree = 0; tree < model.forests[level].size(); ++tree)
            currentShape += model.forests[level][tree](featurePixelValues, leaf);
    }
    const dlib::point_transform_affine toImage = unnormalizing_tform(rect);
    std::vector<dlib::vector<double, 2>> parts(currentShape.size() / 2);
    for (unsigned long i = 0; i < parts.size(); ++i) parts[i] = toImage(location(currentShape, i));
    return parts;
}

int fixtureMode(const std::string& root, const std::string& modelPath, const std::string& outPath) {
    tjhandle handle = tjInitDecompress();
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    dlib::shape_predictor predictor;
    dlib::deserialize(modelPath) >> predictor;
    const Model model = loadModel(modelPath);

    FILE* out = std::fopen(outPath.c_str(), "w");
    if (!out) throw std::runtime_error("cannot write " + outPath);
    std::fprintf(out, "clip\tframe\tleft\ttop\tright\tbottom\tpoints\trounded\n");
    dlib::array2d<unsigned char> image;
    int faces = 0, frames = 0;
    for (const char* clip : kClips) {
        for (const Frame& frame : readManifest(root, clip)) {
            decodeLuma(handle, root + "/" + clip + "/" + frame.file, image);
            ++frames;
            for (const dlib::rectangle& rect : detector(image)) {
                const auto unrounded = predictUnrounded(model, image, rect);
                const dlib::full_object_detection rounded = predictor(image, rect);
                if (rounded.num_parts() != unrounded.size()) throw std::runtime_error("part count mismatch");
                std::fprintf(out, "%s\t%d\t%ld\t%ld\t%ld\t%ld\t", clip, frame.index, rect.left(), rect.top(),
                             rect.right(), rect.bottom());
                for (size_t i = 0; i < unrounded.size(); ++i) {
                    // Our unrounded route must reproduce dlib's public output exactly once rounded.
                    const dlib::point check = unrounded[i];
                    if (check != rounded.part(i)) throw std::runtime_error("impl:: route disagrees with shape_predictor");
                    std::fprintf(out, "%s%.9g %.9g", i ? " " : "", unrounded[i].x(), unrounded[i].y());
                }
                std::fprintf(out, "\t");
                for (size_t i = 0; i < rounded.num_parts(); ++i)
                    std::fprintf(out, "%s%ld %ld", i ? " " : "", rounded.part(i).x(), rounded.part(i).y());
                std::fprintf(out, "\n");
                ++faces;
            }
        }
    }
    std::fclose(out);
    tjDestroy(handle);
    std::fprintf(stderr, "%d frames, %d faces -> %s\n", frames, faces, outPath.c_str());
    return 0;
}

int benchMode(const std::string& root, const std::string& modelPath, const std::string& fixturePath, int repeats) {
    tjhandle handle = tjInitDecompress();
    const auto loadStart = std::chrono::steady_clock::now();
    dlib::shape_predictor predictor;
    dlib::deserialize(modelPath) >> predictor;
    const double loadMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - loadStart).count();

    struct Face {
        size_t image;
        dlib::rectangle rect;
    };
    std::vector<dlib::array2d<unsigned char>> images;
    std::vector<Face> faces;
    std::ifstream in(fixturePath);
    if (!in) throw std::runtime_error("cannot open " + fixturePath);
    std::string line, lastKey;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string clip;
        int frame = 0;
        long left = 0, top = 0, right = 0, bottom = 0;
        fields >> clip >> frame >> left >> top >> right >> bottom;
        const std::string key = clip + "/" + std::to_string(frame);
        if (key != lastKey) {
            char name[32];
            std::snprintf(name, sizeof name, "%04d.jpg", frame);
            images.emplace_back();
            decodeLuma(handle, root + "/" + clip + "/" + name, images.back());
            lastKey = key;
        }
        faces.push_back({images.size() - 1, dlib::rectangle(left, top, right, bottom)});
    }
    long checksum = 0;
    for (const Face& face : faces) checksum += predictor(images[face.image], face.rect).part(30).x();  // warm-up
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeats; ++r)
        for (const Face& face : faces) checksum += predictor(images[face.image], face.rect).part(30).x();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("dlib shape_predictor: %.1f us/face (%zu faces x %d repeats, model load %.0f ms, checksum %ld)\n",
                seconds * 1e6 / (double(faces.size()) * repeats), faces.size(), repeats, loadMs, checksum);
    tjDestroy(handle);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "fixture" && argc == 5) return fixtureMode(argv[2], argv[3], argv[4]);
        if (mode == "bench" && (argc == 5 || argc == 6))
            return benchMode(argv[2], argv[3], argv[4], argc == 6 ? std::atoi(argv[5]) : 20);
        std::fprintf(stderr,
                     "usage: %s fixture SAMPLEFRAMES MODEL.dat OUT.tsv\n"
                     "       %s bench SAMPLEFRAMES MODEL.dat FIXTURE.tsv [REPEATS]\n",
                     argv[0], argv[0]);
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}
