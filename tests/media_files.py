"""Small real media files, generated at test time with the bundled ffmpeg."""

import subprocess
from pathlib import Path

from video_share.media import FFMPEG


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_video(
    path: Path,
    *,
    size: str = "640x360",
    seconds: float = 2,
    rate: int = 24,
    audio: bool = True,
    vcodec: str = "libx264",
    acodec: str = "aac",
    extra: tuple[str, ...] = (),
) -> Path:
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440"]
    codecs = ["-c:v", vcodec, "-pix_fmt", "yuv420p"]
    if vcodec == "libx264":
        codecs += ["-preset", "ultrafast"]
    if vcodec == "libx265":
        codecs += ["-preset", "ultrafast", "-tag:v", "hvc1", "-x265-params", "log-level=none"]
    if vcodec == "libvpx-vp9":
        codecs += ["-deadline", "realtime", "-cpu-used", "8"]
    if audio:
        codecs += ["-c:a", acodec]
    ffmpeg(*inputs, "-t", str(seconds), *codecs, *extra, str(path))
    return path


def rotate(source: Path, path: Path, degrees: int) -> Path:
    """The same streams with a display rotation, as phones record."""
    ffmpeg("-display_rotation", str(degrees), "-i", str(source), "-c", "copy", str(path))
    return path


def make_audio(path: Path, seconds: float = 2) -> Path:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds), "-c:a", "aac", str(path))
    return path


def make_vfr(path: Path) -> Path:
    """Variable frame rate: frames at irregular times, at up to 120 fps."""
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=120",
        "-vf", "select='not(mod(n\\,3))+lt(t\\,1)',setpts=N/TB/120*1.3",
        "-fps_mode", "vfr", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", str(path),
    )  # fmt: skip
    return path
