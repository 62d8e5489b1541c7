"""The FaceLandmarker both reference scripts run: VIDEO mode, one face, blendshapes and matrix on (dev time only)."""
from mediapipe.tasks import python as mp_tasks
from mediapipe.tasks.python import vision


def video_landmarker(task):
    options = vision.FaceLandmarkerOptions(
        base_options=mp_tasks.BaseOptions(model_asset_path=task),
        running_mode=vision.RunningMode.VIDEO,
        num_faces=1,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    return vision.FaceLandmarker.create_from_options(options)
