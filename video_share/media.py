"""Media work: probing uploads with PyAV, and transcoding with the ffmpeg binary that ships
inside imageio-ffmpeg (no system ffmpeg).

Every upload is hostile input to ffmpeg: only the container formats we expect are accepted,
the demuxer is named explicitly, only local files may be opened, pictures larger than 8K are
refused before one is decoded, and both the probe and ffmpeg run in processes of their own
with CPU, memory and wall-clock limits (the probe runs while the uploader waits, in the web
process's stead).
"""

import ctypes
import dataclasses
import io
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import av
import imageio_ffmpeg
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageStat

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()

# Container formats (PyAV/ffmpeg demuxer names) accepted for upload. Anything else — playlists
# (hls), concat lists, images, raw streams — is refused before ffmpeg sees it.
ALLOWED_DEMUXERS = {
    "mov",  # mp4, mov, m4v, 3gp
    "matroska",  # mkv, webm
    "avi",
    "flv",
    "mpegts",
    "mpeg",
    "ogg",
    "asf",  # wmv
}

LADDER = (360, 720, 1080)
MAX_FPS = 60
# Pictures larger than 8K UHD are refused: decoding one frame of a 16K video takes a GB.
MAX_VIDEO_PIXELS = 7680 * 4320
MAX_VIDEO_SIDE = 8192
# The probe's process: CPU seconds (and as many of wall-clock time), address space.
PROBE_SECONDS = 30
PROBE_MEMORY_LIMIT = 1024**3

PROBLEMS = {
    "empty": _("The file is empty."),
    "unreadable": _(
        "This file is not a video we can read: it may be damaged, incomplete, "
        "or not a video at all."
    ),
    "format": _("This file is not a video we can read."),
    "sound_only": _("This file has sound but no picture. Only videos can be uploaded."),
    "no_video": _("This file has no video in it."),
    "too_large": _(
        "This video’s picture is larger than 8K (7680×4320). Export it at a lower "
        "resolution and upload that."
    ),
    "damaged": _("This video is damaged or cut short: not even its first picture can be read."),
    "no_length": _("This video has no length we can read."),
    "limits": _(
        "We could not read this file within our limits: it may be damaged, or need more "
        "memory or time than we allow. Try exporting it again."
    ),
}


class ProbeError(Exception):
    """The file is not a video we can use; the message says why, for the uploader."""

    def __init__(self, problem: str):
        super().__init__(PROBLEMS[problem])
        self.problem = problem


@dataclasses.dataclass(frozen=True)
class Probe:
    demuxer: str
    duration: float
    width: int  # as displayed, rotation applied
    height: int
    fps: float
    video_codec: str
    audio_codec: str  # "" for silent videos
    rotation: int

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @classmethod
    def of_video(cls, video) -> "Probe":
        """The probe of a video's upload, from the fields of the video it was stored in when
        the upload came (do_upload_video): processing never opens the file to probe it again."""
        return cls(
            demuxer=video.demuxer,
            duration=video.duration or 0,
            width=video.width or 0,
            height=video.height or 0,
            fps=video.fps or 0,
            video_codec=video.video_codec,
            audio_codec=video.audio_codec,
            rotation=video.rotation,
        )


def probe(path: str | Path) -> Probe:
    """Read a file's streams and decode one frame in a limited process, or raise ProbeError."""
    path = Path(path).resolve()
    if path.stat().st_size == 0:
        raise ProbeError("empty")
    command = [
        sys.executable,
        "-m",
        __spec__.name,
        str(path),
        str(MAX_VIDEO_PIXELS),
        str(MAX_VIDEO_SIDE),
    ]
    seconds = max(1, math.ceil(PROBE_SECONDS))
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            timeout=PROBE_SECONDS,
            cwd=Path(__file__).resolve().parent.parent,
            preexec_fn=_limits(seconds, PROBE_MEMORY_LIMIT),  # noqa: PLW1509
        )
        answer = json.loads(result.stdout)
    except (subprocess.TimeoutExpired, ValueError) as exc:
        raise ProbeError("limits") from exc
    if "problem" in answer:
        raise ProbeError(answer["problem"])
    found = Probe(**answer)
    if _too_large(found.width, found.height, MAX_VIDEO_PIXELS, MAX_VIDEO_SIDE):
        raise ProbeError("too_large")
    return found


def _too_large(width: int, height: int, max_pixels: int, max_side: int) -> bool:
    return width * height > max_pixels or max(width, height) > max_side


def _probe_here(path: Path, max_pixels: int, max_side: int) -> Probe:
    """The probe itself, run in the limited process."""
    try:
        container = av.open(str(path), options={"protocol_whitelist": "file"})
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise ProbeError("unreadable") from exc
    with container:
        demuxer = container.format.name.split(",")[0]
        if demuxer not in ALLOWED_DEMUXERS:
            raise ProbeError("format")
        if not container.streams.video:
            if container.streams.audio:
                raise ProbeError("sound_only")
            raise ProbeError("no_video")
        stream = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        declared = stream.codec_context
        if _too_large(declared.width, declared.height, max_pixels, max_side):
            raise ProbeError("too_large")
        try:
            frame = next(container.decode(stream))
        except (av.error.FFmpegError, StopIteration, ValueError) as exc:
            raise ProbeError("damaged") from exc
        if _too_large(frame.width, frame.height, max_pixels, max_side):
            raise ProbeError("too_large")
        duration = _duration(container, stream)
        rotation = int(getattr(frame, "rotation", 0) or 0) % 360
        width, height = frame.width, frame.height
        if rotation in (90, 270):
            width, height = height, width
        rate = stream.average_rate or stream.guessed_rate or 0
        return Probe(
            demuxer=demuxer,
            duration=duration,
            width=width,
            height=height,
            fps=round(float(rate), 3),
            video_codec=stream.codec_context.name,
            audio_codec=audio.codec_context.name if audio else "",
            rotation=rotation,
        )


def _duration(container, stream) -> float:
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    else:
        duration = 0.0
    if not duration or not math.isfinite(duration) or duration <= 0:
        raise ProbeError("no_length")
    return duration


def ladder(source: Probe) -> list[int]:
    """Rendition heights (by the short side, as "360p" means for portrait too), lowest first.

    360p always (or the source's own size when it is smaller), then 720p and 1080p when the
    source reaches them. Never upscaled.
    """
    short = source.short_side
    heights = [h for h in LADDER if h <= short]
    return heights or [short - short % 2]


def rendition_size(source: Probe, height: int) -> tuple[int, int]:
    """Output width and height for a rendition: aspect kept, both even."""
    scale = height / source.short_side

    def even(value: float) -> int:
        return max(2, int(round(value / 2)) * 2)

    return even(source.width * scale), even(source.height * scale)


# Linux's prctl(2), looked up once here: the child between fork and exec only calls it.
PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _limits(cpu_seconds: int, memory_bytes: int):
    parent = os.getpid()

    def apply():
        # Runs in the child between fork and exec: only plain system calls here.
        if _prctl is not None:
            # A worker killed with SIGKILL cleans up nothing: its ffmpeg would go on encoding
            # (for the retry's output, against the retry for the CPU). The kernel kills it
            # instead when the thread that started it dies. If the parent died before this
            # call, the signal never comes: exit now.
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:
                os._exit(1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.nice(10)

    return apply


FFMPEG_MEMORY_LIMIT = 3 * 1024**3


def time_limit(duration: float) -> int:
    """Wall-clock seconds one ffmpeg run may take, proportional to the video's length."""
    return int(120 + duration * 10)


class FFmpegError(Exception):
    pass


class TimedOut(FFmpegError):
    """ffmpeg ran past the CPU or wall-clock time allowed for the video's length."""


class Cancelled(Exception):
    pass


# ffmpeg processes running in this process, so that shutting down never leaves one behind.
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
shutting_down = threading.Event()


def stop_all() -> None:
    """Kill every running ffmpeg; their jobs end as Cancelled and are re-queued after restart."""
    shutting_down.set()
    with _running_lock:
        for process in _running:
            process.kill()


def _input_args(source_path: Path, source: Probe, *, seek: float | None = None) -> list[str]:
    """ffmpeg reading an upload: local files only, the demuxer the probe found."""
    return [
        FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-protocol_whitelist",
        "file",
        *(["-ss", f"{max(0.0, seek):.3f}"] if seek is not None else []),
        "-f",
        source.demuxer,
        "-i",
        str(source_path),
    ]


# Bitrate caps per rendition (megabits a second) keep file sizes predictable for streaming;
# they are also what an HLS master playlist says each one needs.
MAXRATE_MBPS = {360: 1, 720: 3, 1080: 6}
AUDIO_KBPS = 128
# A keyframe every KEYFRAME_SECONDS in every rendition, at the same moments (no extra ones
# at scene cuts): HLS segments of HLS_SEGMENT_SECONDS then start at the same times in all of
# them, and a player can switch between them at any segment.
KEYFRAME_SECONDS = 2
HLS_SEGMENT_SECONDS = 4


def ladder_command(
    source_path: Path, source: Probe, heights: list[int], outs: list[Path]
) -> list[str]:
    """One ffmpeg run that decodes the source once and encodes a rendition of each height
    (H.264/AAC MP4, +faststart) to the matching path of `outs`: the decoded picture is split,
    then scaled for each."""
    # ffmpeg rotates upright while decoding; scale to the rotated size.
    sizes = [rendition_size(source, height) for height in heights]
    scales = [f"scale={w}:{h}:flags=bicubic,format=yuv420p" for w, h in sizes]
    if len(heights) == 1:
        graph, pictures = [], [["-map", "0:v:0", "-vf", scales[0]]]
    else:
        split = "".join(f"[s{i}]" for i in range(len(heights)))
        chains = ";".join(f"[s{i}]{scale}[v{i}]" for i, scale in enumerate(scales))
        graph = ["-filter_complex", f"[0:v:0]split={len(heights)}{split};{chains}"]
        pictures = [["-map", f"[v{i}]"] for i in range(len(heights))]
    command = [*_input_args(source_path, source), "-progress", "pipe:1", "-nostats", "-y", *graph]
    for height, out, picture in zip(heights, outs, pictures, strict=True):
        maxrate = f"{MAXRATE_MBPS.get(height, 1)}M"
        command += [
            *picture,
            "-map", "0:a:0?", "-map_metadata", "-1", "-fpsmax", str(MAX_FPS),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
            "-maxrate", maxrate, "-bufsize", maxrate, "-profile:v", "high",
            "-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})",
            "-sc_threshold", "0", "-threads", "2",
            "-c:a", "aac", "-b:a", f"{AUDIO_KBPS}k", "-ac", "2",
            "-movflags", "+faststart", str(out),
        ]  # fmt: skip
    return command


def transcode(
    source_path: Path,
    source: Probe,
    height: int,
    out: Path,
    on_progress: Callable[[int], None] = lambda percent: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Encode one H.264/AAC MP4 rendition, reporting percent done.

    Raises FFmpegError when ffmpeg fails or runs out of time, Cancelled when `should_stop`
    says so; ffmpeg is killed in both cases and the partial output removed.
    """
    transcode_ladder(source_path, source, [height], [out], on_progress, should_stop)


def transcode_ladder(
    source_path: Path,
    source: Probe,
    heights: list[int],
    outs: list[Path],
    on_progress: Callable[[int], None] = lambda percent: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Encode renditions of several heights in one pass over one decode (ladder_command);
    as `transcode` for the rest."""
    command = ladder_command(source_path, source, heights, outs)

    def remove():
        for out in outs:
            out.unlink(missing_ok=True)

    _run_ffmpeg(command, source.duration, remove, on_progress, should_stop)


def _run_ffmpeg(
    command: list[str],
    duration: float,
    remove_output: Callable[[], None],
    on_progress: Callable[[int], None],
    should_stop: Callable[[], bool],
) -> None:
    """Run ffmpeg (`command` ends with `-progress pipe:1`) over `duration` seconds of video
    within the CPU, memory and time limits, reporting percent done; on any failure ffmpeg is
    killed and `remove_output` called."""
    limit = time_limit(duration)
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limits(limit, FFMPEG_MEMORY_LIMIT),  # noqa: PLW1509
    )
    with _running_lock:
        _running.add(process)
    started = time.monotonic()
    last_percent = -1
    last_check = started
    try:
        for raw in process.stdout:
            line = raw.decode(errors="replace").strip()
            if line.startswith("out_time_us=") and line[12:].isdigit():
                percent = min(99, int(int(line[12:]) / 1e6 / duration * 100))
                if percent != last_percent:
                    last_percent = percent
                    on_progress(percent)
            now = time.monotonic()
            if now - started > limit:
                raise TimedOut("ffmpeg took too long")
            if now - last_check > 1:
                last_check = now
                if should_stop():
                    raise Cancelled
        try:
            process.wait(timeout=max(1, limit - (time.monotonic() - started)))
        except subprocess.TimeoutExpired as exc:
            raise TimedOut("ffmpeg took too long") from exc
        if shutting_down.is_set():
            raise Cancelled
        if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            # The CPU limit: SIGXCPU at the soft limit, SIGKILL at the hard one.
            raise TimedOut("ffmpeg used up its CPU time")
        if process.returncode != 0:
            error = process.stderr.read().decode(errors="replace").strip()
            raise FFmpegError(error[-500:] or f"ffmpeg exited with {process.returncode}")
    except BaseException:
        process.kill()
        process.wait()
        remove_output()
        raise
    finally:
        with _running_lock:
            _running.discard(process)
        process.stdout.close()
        process.stderr.close()


def package_hls(
    rendition: Path,
    folder: Path,
    stem: str,
    duration: float,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[Path]:
    """One of our own renditions as HLS, without encoding again: fMP4 (CMAF) segments of
    about HLS_SEGMENT_SECONDS, an init segment and a VOD playlist, all named `stem`… in
    `folder` (the playlist `stem`.m3u8 first). The playlist names the others relatively: each
    is fetched through the same permission check as the video's other files."""
    playlist = folder / f"{stem}.m3u8"
    command = [
        FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file",
        "-f", "mov", "-i", str(rendition), "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy",
        "-f", "hls", "-hls_time", str(HLS_SEGMENT_SECONDS), "-hls_playlist_type", "vod",
        "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", f"{stem}-init.mp4",
        "-hls_segment_filename", str(folder / f"{stem}-%04d.m4s"),
        "-hls_flags", "independent_segments", "-progress", "pipe:1", "-nostats", "-y",
        str(playlist),
    ]  # fmt: skip

    def remove_output():
        for path in folder.glob(f"{stem}*"):
            path.unlink(missing_ok=True)

    _run_ffmpeg(command, duration, remove_output, lambda percent: None, should_stop)
    return [playlist, *sorted(p for p in folder.glob(f"{stem}*") if p != playlist)]


# Scrub previews (a storyboard): small frames every `interval` seconds, packed into sheets of
# STORYBOARD_COLUMNS × STORYBOARD_ROWS, each frame fitting a STORYBOARD_BOX pixels square.
STORYBOARD_BOX = 160
STORYBOARD_COLUMNS = 10
STORYBOARD_ROWS = 10
STORYBOARD_MOST = 400  # frames of one video: a long lecture gets one every few seconds
STORYBOARD_EVERY = 2.0  # seconds, at the least


@dataclasses.dataclass(frozen=True)
class Storyboard:
    interval: float  # seconds between frames
    width: int  # of one frame
    height: int
    count: int  # frames in all
    columns: int = STORYBOARD_COLUMNS
    rows: int = STORYBOARD_ROWS

    def tile(self, index: int) -> tuple[int, int, int]:
        """(sheet, x, y) of frame `index`."""
        per_sheet = self.columns * self.rows
        sheet, place = divmod(index, per_sheet)
        row, column = divmod(place, self.columns)
        return sheet, column * self.width, row * self.height


def storyboard_plan(duration: float, width: int, height: int) -> Storyboard:
    """How often, and how big, for a video of `duration` seconds shown `width`×`height`."""
    interval = max(STORYBOARD_EVERY, math.ceil(duration / STORYBOARD_MOST * 2) / 2)

    def even(value: float) -> int:
        return max(2, int(round(value / 2)) * 2)

    if width >= height:
        size = STORYBOARD_BOX, even(STORYBOARD_BOX * height / max(1, width))
    else:
        size = even(STORYBOARD_BOX * width / max(1, height)), STORYBOARD_BOX
    return Storyboard(interval, *size, count=max(1, math.ceil(duration / interval)))


def make_storyboard(
    rendition: Path,
    width: int,
    height: int,
    duration: float,
    folder: Path,
    on_progress: Callable[[int], None] = lambda percent: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[Storyboard, list[Path]]:
    """The storyboard of one of our own renditions (an upright MP4 of `width`×`height`), in
    one decode of it: its plan, and its JPEG sheets in `folder`, in order."""
    plan = storyboard_plan(duration, width, height)
    pattern = folder / "storyboard-%03d.jpg"
    command = [
        FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file",
        "-f", "mov", "-i", str(rendition), "-map", "0:v:0", "-an",
        "-vf", f"fps=1/{plan.interval},scale={plan.width}:{plan.height},"
        f"tile={plan.columns}x{plan.rows}",
        "-q:v", "5", "-progress", "pipe:1", "-nostats", "-y", str(pattern),
    ]  # fmt: skip

    def remove_output():
        for path in folder.glob("storyboard-*.jpg"):
            path.unlink(missing_ok=True)

    _run_ffmpeg(command, duration, remove_output, on_progress, should_stop)
    sheets = sorted(folder.glob("storyboard-*.jpg"))
    count = min(plan.count, len(sheets) * plan.columns * plan.rows)
    return dataclasses.replace(plan, count=count), sheets


def grab_frame(source_path: Path, source: Probe, at: float, width: int = 1280) -> Image.Image:
    """One frame at `at` seconds, upright, at most `width` pixels wide."""
    command = [
        *_input_args(source_path, source, seek=at),
        "-frames:v",
        "1",
        "-vf",
        f"scale='min({width},iw)':-2",
        "-f",
        "image2pipe",
        "-c:v",
        "png",
        "-",
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        timeout=60,
        preexec_fn=_limits(60, FFMPEG_MEMORY_LIMIT),  # noqa: PLW1509
    )
    if result.returncode != 0 or not result.stdout:
        raise FFmpegError(result.stderr.decode(errors="replace")[-500:] or "no frame")
    image = Image.open(io.BytesIO(result.stdout))
    image.load()
    return image.convert("RGB")


def frame_times(duration: float, count: int) -> list[float]:
    """`count` evenly spread moments, avoiding the very start and end (often black)."""
    return [duration * (index + 1) / (count + 1) for index in range(count)]


def interest(image: Image.Image) -> float:
    """How much a frame shows: the spread of its brightness (0 for a flat black frame)."""
    return ImageStat.Stat(image.convert("L").resize((64, 36))).stddev[0]


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


if __name__ == "__main__":
    # The probe's own process: `python -m video_share.media <path> <max pixels> <max side>`
    # prints the probe, or the problem found, as JSON.
    try:
        found = _probe_here(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
        print(json.dumps(dataclasses.asdict(found)))
    except ProbeError as exc:
        print(json.dumps({"problem": exc.problem}))
