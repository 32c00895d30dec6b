"""Opening a video to read its packets and decode them ourselves.

When FFmpeg opens a file it probes each stream: it reads packets (up to 5 MB) and, for H.264,
decodes frames until it knows the reordering. That costs 30-70 ms a file for 1080p on our
2-core machine, paid by every reader: the player, its prefetch thread, a clip's scan and its
check. An MP4 or MOV states size, extradata, frame rate, colour and duration in its headers,
so readers that decode frames themselves skip that probe. A file whose headers do not say
enough (an MPEG-TS from a camcorder, say) is opened again with the full probe.
(``coder.media.probe``, which describes a file for the project, always probes it fully.)
"""

from __future__ import annotations

from typing import Any

import av

# The probe's decoders decode nothing (ours start at DEFAULT) and it reads almost no packets.
NO_PROBE = {"skip_frame": "all", "probesize": "32"}


def open_for_decoding(file: Any) -> Any:
    """``av.open(file)`` for reading, without the stream probe when the headers suffice."""
    container = av.open(file, options=NO_PROBE)
    if _headers_suffice(container):
        return container
    container.close()
    if hasattr(file, "seek"):
        file.seek(0)
    return av.open(file)


def _headers_suffice(container: Any) -> bool:
    videos = container.streams.video
    if not videos:
        return not container.streams  # nothing to find: the caller reports it
    context = videos[0].codec_context
    return bool(
        context.name
        and context.width > 0
        and context.height > 0
        and videos[0].time_base is not None
        and videos[0].average_rate  # a clip's encoder and the player's time base use it
        and all(_audio_known(s) for s in container.streams.audio)
    )


def _audio_known(stream: Any) -> bool:
    context = stream.codec_context
    return bool(context.name and context.sample_rate and context.channels)
