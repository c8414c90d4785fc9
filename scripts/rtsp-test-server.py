#!/usr/bin/python3
"""RTSP test server for Vision's live-camera tests (GStreamer RTSP server 1.22, Debian 12).

Serves video files as RTSP mounts by stream copy (no re-encode): filesrc ! demux ! parse ! pay.
Each mount is shared: every client of a mount watches the one pipeline, which starts with the first
client and stops when the last leaves. Mounts are not seekable, so a client that joins late gets the
stream where it is, like a camera (ffmpeg then waits for the next keyframe). When a file reaches its
end, its clients get EOS; serve long, pre-looped files without B-frames for long tests.

    /usr/bin/python3 scripts/rtsp-test-server.py --port 0 --mount cam1=/tmp/a.mp4 --mount cam2=/tmp/b.mp4 \
        [--user U --password P] [--exit-with-stdin]

Prints `READY port=<N>` on stdout once listening (port 0 picks a free port). Exits 0 on SIGTERM or
SIGINT (and on end of stdin with --exit-with-stdin, so it never outlives the test host that
started it); exits 2 on bad arguments or unreadable files and 3 when the port cannot be bound.
Install its packages with scripts/install-test-servers.sh.
"""

import argparse
import faulthandler
import json
import os
import shutil
import signal
import subprocess
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

# codec (ffprobe codec_name) -> (parser, payloader)
CODECS = {
    "h264": ("h264parse", "rtph264pay"),
    "hevc": ("h265parse", "rtph265pay"),
}

# container (a name in ffprobe's format_name) -> demuxer, its video pad
DEMUXERS = [
    ("mov", "qtdemux", "video_0"),
    ("mp4", "qtdemux", "video_0"),
    ("matroska", "matroskademux", "video_0"),
    ("mpegts", "tsdemux", None),
]
# MPEG-PS (e.g. the shared street-parking-hevc.mp4) is refused: mpegpsdemux under the RTSP server
# aborts the whole process (gst_rtsp_media_get_rates assertion). Re-encode such files to mp4 first.

MAX_THREADS = 256


def fail(code, message):
    print("rtsp-test-server: " + message, file=sys.stderr, flush=True)
    sys.exit(code)


def probe(path):
    """Returns (codec_name, format_name) of the file's first video stream, by ffprobe or Gst discoverer."""
    if shutil.which("ffprobe"):
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name:format=format_name",
             "-of", "json", path],
            capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            fail(2, "cannot probe %s: %s" % (path, result.stderr.strip()))
        info = json.loads(result.stdout)
        streams = info.get("streams") or []
        if not streams:
            fail(2, "%s has no video stream" % path)
        return streams[0].get("codec_name", ""), info.get("format", {}).get("format_name", "")
    return probe_with_discoverer(path)


def probe_with_discoverer(path):
    gi.require_version("GstPbutils", "1.0")
    from gi.repository import GstPbutils
    discoverer = GstPbutils.Discoverer.new(10 * Gst.SECOND)
    info = discoverer.discover_uri(Gst.filename_to_uri(path))
    videos = info.get_video_streams()
    if not videos:
        fail(2, "%s has no video stream" % path)
    caps = videos[0].get_caps().get_structure(0).get_name()
    container = info.get_stream_info().get_caps().get_structure(0).get_name()
    codec = {"video/x-h264": "h264", "video/x-h265": "hevc"}.get(caps, caps)
    fmt = {"video/quicktime": "mov", "video/x-matroska": "matroska", "video/mpegts": "mpegts",
           "video/mpeg": "mpeg"}.get(container, container)
    return codec, fmt


def launch_line(path):
    codec, fmt = probe(path)
    if codec not in CODECS:
        fail(2, "%s: video codec %r is not served (H.264 or H.265 only)" % (path, codec))
    parser, payloader = CODECS[codec]
    formats = fmt.split(",")
    demux = next(((d, pad) for name, d, pad in DEMUXERS if name in formats), None)
    if demux is None:
        fail(2, "%s: container %r is not served (mp4/mov, matroska, mpeg-ts; re-encode others to mp4)" % (path, fmt))
    demuxer, pad = demux
    source = 'filesrc location="%s"' % path.replace("\\", "\\\\").replace('"', '\\"')
    # A named video pad where the demuxer has one, else let the parser pick the video pad (it only takes video).
    link = "d.%s ! " % pad if pad else "d. ! "
    return ("( %s ! %s name=d %s queue ! %s config-interval=-1 ! %s name=pay0 pt=96 config-interval=-1 )"
            % (source, demuxer, link, parser, payloader))


def parse_args():
    ap = argparse.ArgumentParser(description="RTSP test server (stream copy, shared media per mount)")
    ap.add_argument("--port", type=int, default=8554, help="TCP port; 0 picks a free one (printed in READY)")
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--mount", action="append", default=[], metavar="NAME=PATH", help="repeatable")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--exit-with-stdin", action="store_true", help="exit when stdin reaches its end (the parent died)")
    args = ap.parse_args()
    if not args.mount:
        fail(2, "at least one --mount NAME=PATH is needed")
    if (args.user is None) != (args.password is None):
        fail(2, "--user and --password go together")
    mounts = []
    for spec in args.mount:
        name, sep, path = spec.partition("=")
        name = name.strip("/")
        if not sep or not name or not path:
            fail(2, "bad --mount %r: expected NAME=PATH" % spec)
        if not os.path.isfile(path):
            fail(2, "mount %s: no such file %s" % (name, path))
        mounts.append((name, os.path.abspath(path)))
    return args, mounts


def main():
    faulthandler.enable()  # a native crash leaves a trace on stderr instead of a silent exit
    args, mounts = parse_args()
    Gst.init(None)

    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    # The default pool has one thread: clients would be served one at a time.
    server.get_thread_pool().set_max_threads(MAX_THREADS)

    permissions = None
    if args.user is not None:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "camera-user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        # No default token: anonymous and wrong-credential requests get 401.
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("camera-user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        permissions.add_permission_for_role("camera-user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)

    points = server.get_mount_points()
    for name, path in mounts:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(path))
        # One pipeline per mount, whatever the number of clients. (A Python subclass overriding
        # do_configure would silently lose sharing; use the media-configure signal for hooks.)
        factory.set_shared(True)
        # A file pipeline is seekable, and every PLAY from ffmpeg carries "Range: npt=0.000-": each new client would
        # seek the shared pipeline back to 0 (rewinding every other client), and a PLAY racing that flush aborts the
        # whole server (gst_rtsp_media_get_rates assertion, GStreamer 1.22). Publishing clock and offset makes the
        # server treat the media as unseekable: new clients join the stream where it is, like a camera.
        factory.set_publish_clock_mode(GstRtspServer.RTSPPublishClockMode.CLOCK_AND_OFFSET)
        if permissions is not None:
            factory.set_permissions(permissions)
        points.add_factory("/" + name, factory)

    try:
        source_id = server.attach(None)
    except GLib.Error as e:
        fail(3, "cannot listen on %s:%d: %s" % (args.address, args.port, e.message))
    if not source_id:
        fail(3, "cannot listen on %s:%d" % (args.address, args.port))

    loop = GLib.MainLoop()

    def stop(*_):
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, stop)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, stop)

    if args.exit_with_stdin:
        def on_stdin(fd, condition):
            if condition & (GLib.IO_HUP | GLib.IO_ERR):
                return stop()
            if not os.read(fd, 4096):
                return stop()
            return GLib.SOURCE_CONTINUE

        GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)

    print("READY port=%d" % server.get_bound_port(), flush=True)
    loop.run()
    sys.exit(0)


if __name__ == "__main__":
    main()
