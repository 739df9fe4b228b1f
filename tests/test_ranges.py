import pytest

from video_share.serving import UNSATISFIABLE, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-499", (0, 499)),
        ("bytes=500-999", (500, 999)),
        ("bytes=500-", (500, 999)),  # open range
        ("bytes=-200", (800, 999)),  # suffix range
        ("bytes=-5000", (0, 999)),  # suffix longer than the file: all of it
        ("bytes=900-5000", (900, 999)),  # end past the file: clamped
        ("bytes=0-0", (0, 0)),
        ("bytes=999-999", (999, 999)),
        ("bytes= 10 - 20 ", (10, 20)),
        ("BYTES=10-20", (10, 20)),
    ],
)
def test_satisfiable_ranges(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=1000-", "bytes=1000-1200", "bytes=5000-6000", "bytes=-0"],
)
def test_unsatisfiable_ranges(header):
    assert parse_range(header, SIZE) is UNSATISFIABLE


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=abc-def",
        "bytes=20-10",  # last before first: invalid, so ignored
        "bytes=0-1,5-9",  # several ranges: served whole
        "items=0-10",
        "bytes=--5",
        "bytes=1-2-3",
        "bytes=-",
        "bytes=0x10-20",
        "bytes=" + "9" * 400 + "-",
    ],
)
def test_invalid_or_unsupported_ranges_are_ignored(header):
    assert parse_range(header, SIZE) is None


def test_any_range_of_an_empty_file_is_unsatisfiable():
    assert parse_range("bytes=0-", 0) is UNSATISFIABLE
    assert parse_range("bytes=-10", 0) is UNSATISFIABLE
