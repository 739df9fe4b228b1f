import io

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from video_share import images, media

from .media_files import make_audio, make_vfr, make_video, rotate


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    landscape = make_video(root / "landscape.mp4")
    return {
        "landscape": landscape,
        "portrait": make_video(root / "portrait.mp4", size="360x640"),
        "rotated": rotate(landscape, root / "rotated.mp4", 90),
        "silent": make_video(root / "silent.mp4", audio=False),
        "webm": make_video(
            root / "clip.webm", vcodec="libvpx-vp9", acodec="libopus", size="320x240"
        ),
        "hevc": make_video(root / "clip.mov", vcodec="libx265", size="320x240"),
        "mkv": make_video(root / "clip.mkv", size="320x240"),
        "vfr": make_vfr(root / "vfr.mp4"),
        "fast": make_video(root / "fast.mp4", size="320x240", rate=120, audio=False),
        "audio": make_audio(root / "sound.m4a"),
        "root": root,
    }


def test_probe_reads_streams_and_duration(files):
    probe = media.probe(files["landscape"])
    assert probe.demuxer == "mov"
    assert (probe.width, probe.height) == (640, 360)
    assert probe.duration == pytest.approx(2, abs=0.1)
    assert probe.fps == 24
    assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")
    assert probe.rotation == 0


def test_probe_applies_rotation_to_the_displayed_size(files):
    probe = media.probe(files["rotated"])
    assert probe.rotation in (90, 270)
    assert (probe.width, probe.height) == (360, 640)


def test_probe_of_a_silent_video(files):
    assert media.probe(files["silent"]).audio_codec == ""


@pytest.mark.parametrize(
    ("name", "demuxer", "codec"),
    [("webm", "matroska", "vp9"), ("hevc", "mov", "hevc"), ("mkv", "matroska", "h264")],
)
def test_probe_of_other_containers_and_codecs(files, name, demuxer, codec):
    probe = media.probe(files[name])
    assert (probe.demuxer, probe.video_codec) == (demuxer, codec)


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(media.ProbeError, match="empty"):
        media.probe(empty)


def test_a_text_file_is_refused(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("Just some notes, not a video.\n" * 100)
    with pytest.raises(media.ProbeError, match="not a video"):
        media.probe(text)


def test_an_image_is_refused(tmp_path):
    picture = tmp_path / "picture.mp4"
    Image.new("RGB", (64, 64)).save(picture, "PNG")
    with pytest.raises(media.ProbeError):
        media.probe(picture)


def test_audio_only_is_refused_with_its_own_message(files):
    with pytest.raises(media.ProbeError, match="sound but no picture"):
        media.probe(files["audio"])


def test_a_truncated_video_is_refused(files, tmp_path):
    # Without +faststart the index (moov) comes last: cut it off.
    whole = make_video(tmp_path / "whole.mp4", seconds=3)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(media.ProbeError):
        media.probe(cut)


def test_a_playlist_disguised_as_a_video_is_refused_without_reading_what_it_names(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    playlist = tmp_path / "movie.avi"
    playlist.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n"
        f"file://{secret}\n#EXTINF:10,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(media.ProbeError):
        media.probe(playlist)


def test_a_video_over_the_resolution_cap_is_refused_before_its_picture_is_decoded(
    files, monkeypatch
):
    monkeypatch.setattr(media, "MAX_VIDEO_PIXELS", 640 * 360 - 1)
    with pytest.raises(media.ProbeError, match="larger than"):
        media.probe(files["landscape"])


def test_a_video_with_a_side_over_the_cap_is_refused(files, monkeypatch):
    monkeypatch.setattr(media, "MAX_VIDEO_SIDE", 639)
    with pytest.raises(media.ProbeError, match="larger than"):
        media.probe(files["landscape"])


def test_the_probe_runs_in_a_process_of_its_own(files, monkeypatch):
    # What this process's PyAV would do no longer matters.
    monkeypatch.setattr(av, "open", lambda *args, **kwargs: pytest.fail("probed in-process"))
    assert media.probe(files["landscape"]).width == 640


def test_a_probe_over_its_memory_limit_is_refused_with_a_message(files, monkeypatch):
    monkeypatch.setattr(media, "PROBE_MEMORY_LIMIT", 32 * 1024 * 1024)
    with pytest.raises(media.ProbeError, match="could not read this file"):
        media.probe(files["landscape"])


def test_a_probe_over_its_time_limit_is_refused_with_a_message(files, monkeypatch):
    monkeypatch.setattr(media, "PROBE_SECONDS", 0.01)
    with pytest.raises(media.ProbeError, match="could not read this file"):
        media.probe(files["landscape"])


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3840, 2160), [360, 720, 1080]),
        ((1920, 1080), [360, 720, 1080]),
        ((1280, 720), [360, 720]),
        ((1080, 1920), [360, 720, 1080]),
        ((640, 360), [360]),
        ((854, 480), [360]),
        ((320, 240), [240]),
        ((321, 179), [178]),
    ],
)
def test_ladder(size, expected):
    probe = media.Probe("mov", 10, *size, 30, "h264", "aac", 0)
    assert media.ladder(probe) == expected


@pytest.mark.parametrize(
    ("size", "height", "expected"),
    [
        ((1920, 1080), 360, (640, 360)),
        ((1080, 1920), 360, (360, 640)),
        ((854, 480), 360, (640, 360)),
        ((1440, 1080), 720, (960, 720)),
        ((1000, 562), 360, (640, 360)),
    ],
)
def test_rendition_size_keeps_aspect_and_is_even(size, height, expected):
    probe = media.Probe("mov", 10, *size, 30, "h264", "aac", 0)
    assert media.rendition_size(probe, height) == expected


def transcoded(files, name, tmp_path, height=None):
    source = media.probe(files[name])
    out = tmp_path / f"{name}.mp4"
    progress = []
    media.transcode(files[name], source, height or media.ladder(source)[0], out, progress.append)
    return out, progress


def output_streams(path):
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frame = next(container.decode(video))
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else ""
        return {
            "codec": video.codec_context.name,
            "size": (frame.width, frame.height),
            "rotation": int(getattr(frame, "rotation", 0) or 0),
            "audio": audio,
            "fps": float(video.average_rate),
            "pix_fmt": video.codec_context.pix_fmt,
        }


def test_transcode_makes_h264_aac_with_progress(files, tmp_path):
    out, progress = transcoded(files, "landscape", tmp_path)
    streams = output_streams(out)
    assert streams["codec"] == "h264"
    assert streams["audio"] == "aac"
    assert streams["size"] == (640, 360)
    assert streams["pix_fmt"] == "yuv420p"
    assert progress
    assert progress == sorted(progress)
    # +faststart: the index comes before the media data.
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head


def test_transcode_keeps_a_phone_video_upright(files, tmp_path):
    out, _ = transcoded(files, "rotated", tmp_path)
    streams = output_streams(out)
    assert streams["size"] == (360, 640)
    assert streams["rotation"] == 0


@pytest.mark.parametrize("name", ["webm", "hevc", "mkv", "silent", "portrait"])
def test_transcode_handles_every_input_kind(files, tmp_path, name):
    out, _ = transcoded(files, name, tmp_path)
    streams = output_streams(out)
    assert streams["codec"] == "h264"
    assert streams["audio"] == ("" if name == "silent" else "aac")


def test_transcode_caps_the_frame_rate(files, tmp_path):
    out, _ = transcoded(files, "fast", tmp_path)
    assert output_streams(out)["fps"] <= 60


def test_transcode_of_variable_frame_rate(files, tmp_path):
    out, _ = transcoded(files, "vfr", tmp_path)
    assert output_streams(out)["codec"] == "h264"


def test_a_failing_transcode_raises_and_leaves_no_output(files, tmp_path):
    source = media.probe(files["landscape"])
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(files["landscape"].read_bytes()[:2000])
    out = tmp_path / "out.mp4"
    with pytest.raises(media.FFmpegError):
        media.transcode(broken, source, 360, out)
    assert not out.exists()


def test_a_transcode_over_its_time_limit_raises_timed_out_and_leaves_no_output(
    files, tmp_path, monkeypatch
):
    monkeypatch.setattr(media, "time_limit", lambda duration: 0)
    out = tmp_path / "out.mp4"
    with pytest.raises(media.TimedOut):
        media.transcode(files["landscape"], media.probe(files["landscape"]), 360, out)
    assert not out.exists()


def test_a_cancelled_transcode_kills_ffmpeg_and_leaves_no_output(tmp_path):
    long_clip = make_video(tmp_path / "long.mp4", size="1280x720", seconds=20, audio=False)
    source = media.probe(long_clip)
    out = tmp_path / "out.mp4"
    with pytest.raises(media.Cancelled):
        media.transcode(long_clip, source, 720, out, should_stop=lambda: True)
    assert not out.exists()
    assert not media._running


def test_poster_frames_prefer_a_frame_with_something_in_it(files):
    source = media.probe(files["landscape"])
    frame = media.grab_frame(files["landscape"], source, 1.0)
    assert frame.size == (640, 360)
    assert media.interest(frame) > media.interest(Image.new("RGB", (640, 360)))


def test_frames_of_a_rotated_video_are_upright(files):
    source = media.probe(files["rotated"])
    assert media.grab_frame(files["rotated"], source, 1.0).size == (360, 640)


def jpeg_with_metadata(orientation: int = 1) -> bytes:
    """A real camera-style JPEG: a comment with markup, EXIF (orientation, GPS, maker) and XMP."""
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Spy Cam <script>alert(1)</script>"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        comment=b"<script>alert(1)</script>",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><script>alert(2)</script></x:xmpmeta>',
    )
    return out.getvalue()


def gif_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 20)).save(out, "GIF", comment=b"<script>alert(1)</script>")
    return out.getvalue()


def assert_no_metadata(data: bytes):
    assert b"script" not in data
    assert b"Spy Cam" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not set(image.info) & {"comment", "exif", "xmp", "icc_profile"}
        assert len(image.getexif()) == 0


@pytest.mark.parametrize("make", [images.make_poster, images.make_avatar])
@pytest.mark.parametrize("source", [jpeg_with_metadata, gif_with_comment])
def test_reencoded_pictures_keep_no_comment_exif_or_xmp(make, source):
    assert_no_metadata(make(SimpleUploadedFile("x", source())).read())


def test_a_poster_is_turned_upright_before_its_exif_is_dropped():
    # Orientation 6: the camera was turned; the 40x20 pixels show a 20x40 picture.
    poster = images.make_poster(SimpleUploadedFile("x.jpg", jpeg_with_metadata(orientation=6)))
    with Image.open(poster) as image:
        assert image.size == (20, 40)
