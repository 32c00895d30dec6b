import numpy as np
import pytest

from coder.media import faces
from coder.media.faces import Box, BoxFollower, blur_boxes, blur_function, detect_faces


def _checkerboard(h: int = 120, w: int = 160) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    board = (((yy // 4) + (xx // 4)) % 2 * 255).astype(np.uint8)
    return np.stack([board] * 3, axis=-1)


def test_blur_destroys_detail_inside_box_only() -> None:
    img = _checkerboard()
    out = blur_boxes(img, [Box(0.25, 0.25, 0.25, 0.25)], margin=0.0)
    x0, y0, x1, y1 = Box(0.25, 0.25, 0.25, 0.25).to_pixels(160, 120)
    inside_before = img[y0:y1, x0:x1].astype(float).std()
    inside_after = out[y0:y1, x0:x1].astype(float).std()
    assert inside_after < inside_before * 0.3  # detail gone
    mask = np.ones(img.shape[:2], bool)
    mask[y0:y1, x0:x1] = False
    assert np.array_equal(out[mask], img[mask])  # nothing else touched
    assert not np.shares_memory(out, img)


def test_detector_model_loads_and_finds_nothing_in_noise() -> None:
    rng = np.random.default_rng(1)
    assert detect_faces(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)) == []


def test_follower_moves_with_nearby_detection_and_holds_when_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    detections = iter([[Box(0.32, 0.3, 0.2, 0.2), Box(0.8, 0.8, 0.1, 0.1)], []])
    monkeypatch.setattr(faces, "detect_faces", lambda _rgb: next(detections))
    follower = BoxFollower([Box(0.3, 0.3, 0.2, 0.2)])
    assert follower.update(_checkerboard()) == [Box(0.32, 0.3, 0.2, 0.2)]  # followed
    assert follower.update(_checkerboard()) == [Box(0.32, 0.3, 0.2, 0.2)]  # lost: kept


def test_blur_function_without_following_uses_fixed_boxes() -> None:
    img = _checkerboard()
    out = blur_function([Box(0.0, 0.0, 0.5, 0.5)], follow=False)(img, 0)
    assert out[:30, :40].std() < img[:30, :40].std()
    assert np.array_equal(out[100:, 120:], img[100:, 120:])
