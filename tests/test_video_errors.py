"Every kind of bad video input raises a VideoError that names the file and the problem."
import av, numpy as np, pytest

from video2lora.video import VideoError, read_clip, video_info, write_video, sample_uniform, split_segments


@pytest.fixture
def good(tmp_path):
    frames = np.random.default_rng(0).integers(0, 255, (16, 32, 32, 3), dtype=np.uint8)
    return write_video(tmp_path/'good.mp4', frames, fps=8)


def expect(path, problem, **kw):
    with pytest.raises(VideoError) as e: read_clip(path, **kw)
    assert str(path) in str(e.value) and problem in str(e.value), str(e.value)


def expect_call(f, path, problem, **kw):
    "`f(path)` raises a one-line VideoError naming the file and the problem."
    with pytest.raises(VideoError) as e: f(path, **kw)
    assert str(path) in str(e.value) and problem in str(e.value) and '\n' not in str(e.value), str(e.value)


def test_missing_path(tmp_path): expect(tmp_path/'nope.mp4', 'file not found')
def test_directory(tmp_path): expect(tmp_path, 'not a file')


def test_empty_file(tmp_path):
    (tmp_path/'e.mp4').write_bytes(b'')
    expect(tmp_path/'e.mp4', 'empty')


def test_not_a_video(tmp_path):
    p = tmp_path/'text.mp4'; p.write_text('hello, I am a text file\n' * 50)
    expect(p, 'not a video file')
    p = tmp_path/'noise.mp4'; p.write_bytes(np.random.default_rng(1).integers(0, 255, 5000, dtype=np.uint8).tobytes())
    expect(p, 'not a video file')


@pytest.mark.parametrize('frac', [0.3, 0.5, 0.8])
def test_truncated(good, tmp_path, frac):
    data = good.read_bytes()
    p = tmp_path/f'cut{frac}.mp4'; p.write_bytes(data[:int(len(data) * frac)])
    expect(p, 'truncated')


def test_corrupt_payload(good, tmp_path):
    data = np.frombuffer(good.read_bytes(), np.uint8).copy()
    rng = np.random.default_rng(2)
    idx = rng.integers(len(data) // 3, len(data), 4000)
    data[idx] = rng.integers(0, 255, len(idx), dtype=np.uint8)   # scribble over the frame data
    p = tmp_path/'scribbled.mp4'; p.write_bytes(data.tobytes())
    # this damage (fixed seed) breaks a NAL unit: decoding fails, and the error names the file and the problem
    with pytest.raises(VideoError, match='could not decode frames: video data is corrupt or truncated') as e: read_clip(p)
    assert str(p) in str(e.value)


def test_concealed_damage_decodes(good, tmp_path):
    "Damage that FFmpeg can conceal (a few flipped bytes late in the stream) still decodes, to frames that differ."
    data = np.frombuffer(good.read_bytes(), np.uint8).copy()
    clean = read_clip(good).frames.astype(int)
    for seed in range(20):                                   # find a seed whose damage is concealed, not fatal
        d = data.copy(); rng = np.random.default_rng(seed)
        idx = rng.integers(2 * len(d) // 3, len(d) - 64, 3); d[idx] ^= 0x10
        p = tmp_path/f'flip{seed}.mp4'; p.write_bytes(d.tobytes())
        try: frames = read_clip(p).frames.astype(int)
        except VideoError: continue
        if frames.shape == clean.shape and np.abs(frames - clean).mean() > 0: break
    else: pytest.fail('no concealed damage found in 20 seeds')
    assert frames.shape == (16, 32, 32, 3)


def test_zero_frames(tmp_path):
    p = tmp_path/'zero.mp4'
    with av.open(str(p), 'w', format='mp4') as box:
        st = box.add_stream('libx264', rate=8); st.width = st.height = 32; st.pix_fmt = 'yuv420p'; box.start_encoding()
    expect(p, 'no frames')


@pytest.mark.parametrize('n', [0, -1])
def test_non_positive_n(good, n): expect(good, 'positive integer', n_frames=n)


def test_writer_rejects_bad_frames(tmp_path):
    for frames, problem in [(np.zeros((0, 32, 32, 3), np.uint8), 'no frames'), (np.zeros((4, 32, 32), np.uint8), '(N, H, W, 3)'),
                            (np.zeros((4, 31, 32, 3), np.uint8), 'even'), (np.zeros((4, 32, 32, 3), np.float32), 'uint8')]:
        with pytest.raises(VideoError, match=problem.replace('(', r'\(').replace(')', r'\)')): write_video(tmp_path/'x.mp4', frames, fps=4)
    assert list(tmp_path.iterdir()) == []   # nothing half-written


def test_info_and_sampling(good):
    info = video_info(good)
    assert (info.n_frames, info.width, info.height) == (16, 32, 32) and abs(info.duration - 2.0) < 1e-6
    assert list(sample_uniform(16, 4)) == [0, 5, 10, 15]
    assert len(read_clip(good, target_fps=1.0)) == 2
    assert [len(s) for s in split_segments(16, 3)] == [6, 5, 5]


# --- not a regular file: refused at once, never opened --------------------------------------------------------

def test_named_pipe_refused_at_once(tmp_path):
    "A FIFO as the video is refused by a stat check: opening it would block until a writer came."
    import os, signal, time
    fifo = tmp_path/'pipe.mp4'; os.mkfifo(fifo)
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail('read_clip blocked on a named pipe'))
    signal.alarm(10)
    try:
        t = time.perf_counter()
        for f in (read_clip, video_info): expect_call(f, fifo, 'not a file: a named pipe, device or socket')
        assert time.perf_counter() - t < 2
    finally: signal.alarm(0)


def test_device_refused(): expect_call(read_clip, '/dev/zero', 'a named pipe, device or socket')


# --- GIF: decord cannot open it, PyAV reads it -----------------------------------------------------------------

def write_gif(path, n=400, w=40, h=30):
    "An animated GIF of `n` frames: a white bar moving over a dark red background, 25 frames per second."
    from PIL import Image
    frames = []
    for i in range(n):
        a = np.zeros((h, w, 3), np.uint8); a[..., 0] = 100; a[:, i % w] = 255
        frames.append(Image.fromarray(a))
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40, loop=0)
    return path


def test_gif_is_read(tmp_path):
    gif = write_gif(tmp_path/'bar.gif')
    info = video_info(gif)
    assert (info.n_frames, info.width, info.height, info.reader) == (400, 40, 30, 'pyav') and abs(info.fps - 25) < 1e-6
    clip = read_clip(gif, n_frames=12, size=32)
    assert clip.frames.shape == (12, 32, 32, 3) and clip.reader == 'pyav' and clip.n_source == 400
    full = read_clip(gif, n_frames=7)
    assert [int(np.argmax(f[5, :, 1])) for f in full.frames] == [i % 40 for i in full.indices]   # the bar where it was drawn
    with pytest.raises(VideoError, match='decord cannot open this video'): video_info(gif, reader='decord')


# --- the seeking path gives the frames of the in-order path, and decodes far fewer ----------------------------

def write_gop(path, n=150, gop=10, fmt=None, size=64):
    "H.264 with a keyframe every `gop` frames and B-frames (a square moving over a gradient, so that B-frames pay)."
    with av.open(str(path), 'w', format=fmt) as box:
        st = box.add_stream('libx264', rate=25, options={'x264-params': f'keyint={gop}:min-keyint={gop}:scenecut=0:bframes=3', 'threads': '1'})
        st.width = st.height = size; st.pix_fmt = 'yuv420p'
        for i in range(n):
            a = np.zeros((size, size, 3), np.uint8); a[..., 2] = np.linspace(0, 200, size, dtype=np.uint8)
            a[10:20, (i * 2) % (size - 10):(i * 2) % (size - 10) + 10] = 255
            fr = av.VideoFrame.from_ndarray(a, format='rgb24'); fr.pts = i
            for p in st.encode(fr): box.mux(p)
        for p in st.encode(): box.mux(p)
    return path


@pytest.mark.parametrize('ext,fmt', [('mp4', None), ('mkv', None), ('ts', 'mpegts')])
def test_seeking_agrees_with_in_order(tmp_path, ext, fmt):
    "MPEG-TS seeks by decoding time and may land past a keyframe: the frames must still be exact."
    from video2lora.video import _probe, _pyav_frames
    path = write_gop(tmp_path/f'gop.{ext}', fmt=fmt)
    info, index = _probe(path)
    assert info.n_frames == 150 and len(index.keys) == 15 and index.pts is not None
    for n in (1, 4, 12, 150):
        want = np.unique(sample_uniform(150, n))
        fs, ss = {}, {}
        fast = [(i, f.to_ndarray(format='rgb24')) for i, f in _pyav_frames(path, want, index, stats=fs)]
        slow = [(i, f.to_ndarray(format='rgb24')) for i, f in _pyav_frames(path, want, index, seek=False, stats=ss)]
        assert [i for i, _ in fast] == [i for i, _ in slow] == want.tolist()
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(fast, slow))
        assert fs['decoded'] <= len(want) * 10 and ss['decoded'] == want[-1] + 1, (n, fs, ss)
    if ext != 'ts':                                               # decord, with its own FFmpeg, agrees
        assert np.array_equal(read_clip(path, n_frames=12).frames, read_clip(path, n_frames=12, reader='decord').frames)


def test_seek_that_lands_past_the_keyframe(tmp_path):
    "Where a container's seek lands past the keyframe asked for, earlier keyframes are tried and packets are read up to it."
    from video2lora.video import _probe, _goto_key
    path = write_gop(tmp_path/'gop.mp4')
    info, index = _probe(path)

    class Overshooting:
        "A container whose first seek lands two keyframes past the time asked for (as an inexact MPEG-TS seek can)."
        def __init__(self, box): self.box, self.first = box, True
        def seek(self, t, **kw):
            if self.first: self.first, t = False, int(index.seek_to[np.searchsorted(index.seek_to, t) + 2])
            return self.box.seek(t, **kw)
        def demux(self, s): return self.box.demux(s)

    with av.open(str(path)) as box:
        stats = {'seeks': 0}
        packets = _goto_key(Overshooting(box), box.streams.video[0], index, 5, stats)
        first = next(packets)
        assert first.is_keyframe and first.pts == index.keys[5] and stats['seeks'] == 2, (first, stats)


def test_edit_list_cut_frames_are_not_counted(tmp_path):
    "An mp4 whose edit list hides its first 5 frames (what trimming without re-encoding makes): 145 frames, each read exactly."
    from video2lora.video import _probe, _pyav_frames
    src = write_gop(tmp_path/'src.mp4')
    with av.open(str(src)) as box, av.open(str(tmp_path/'cut.mp4'), 'w') as out:
        s = box.streams.video[0]; o = out.add_stream_from_template(s)
        shift = 5 * int(1 / (s.average_rate * s.time_base))              # 5 frames, in the stream's time base
        for p in box.demux(s):
            if p.dts is None: continue
            p.pts -= shift; p.dts -= shift; p.stream = o; out.mux(p)   # negative times: the muxer writes an edit list
    info, index = _probe(tmp_path/'cut.mp4')
    assert info.n_frames == 145
    whole = read_clip(src, n_frames=150).frames
    for n in (1, 7, 145):
        clip = read_clip(tmp_path/'cut.mp4', n_frames=n)
        assert np.array_equal(clip.frames, whole[5:][clip.indices]), n


def test_sizes_decord_cannot_decode(tmp_path):
    "decord 0.6 fails on some valid small frame sizes (48x48, 72x72: 'Check failed: from_size == to_size'); PyAV reads them."
    for size in (48, 72):
        clip = read_clip(write_gop(tmp_path/f'{size}.mp4', n=30, size=size), n_frames=5)
        assert clip.frames.shape == (5, size, size, 3) and clip.reader == 'pyav'


def test_frames_used_bound_the_work(tmp_path):
    "12 frames of a 600-frame video with a keyframe every 25 frames: at most 12 x 25 frames decoded, whatever the length."
    from video2lora.video import _probe, _pyav_frames
    path = write_gop(tmp_path/'long.mp4', n=600, gop=25, size=32)
    info, index = _probe(path)
    stats = {}
    got = [i for i, _ in _pyav_frames(path, np.unique(sample_uniform(600, 12)), index, stats=stats)]
    assert len(got) == 12 and stats['decoded'] <= 12 * 25 and stats['seeks'] <= 12, stats


# --- more frames than memory: refused before any decoding ------------------------------------------------------

@pytest.mark.parametrize('kw,need', [(dict(n_frames=10**7), '10,000,000 x 32 x 32 x 3 bytes'),
                                     (dict(n_frames=12, size=10**6), '12 x 1,000,000 x 1,000,000 x 3 bytes'),
                                     (dict(n_frames=10**7, size=64), '10,000,000 x 64 x 64 x 3 bytes'),
                                     (dict(target_fps=10**9, max_frames=10**12), '2,000,000,000 x 32 x 32 x 3 bytes')])
def test_too_many_frames_refused_before_decoding(good, monkeypatch, kw, need):
    import video2lora.video as V
    def no_decoding(*a, **k): raise AssertionError('decoding started')
    monkeypatch.setattr(V, '_decode_into', no_decoding)
    with pytest.raises(VideoError) as e: read_clip(good, **kw)
    msg = str(e.value)
    assert str(good) in msg and 'would need ' + need in msg and 'of memory available' in msg and '\n' not in msg, msg


# --- valid files that look odd: an edit list that cuts at a keyframe, metadata that is not UTF-8 ---------------

def remux_shifted(src, dst, frames, faststart=False):
    "`src` with its packet times moved `frames` frames earlier: the mp4 muxer writes an edit list that hides them (what trimming without re-encoding makes)."
    with av.open(str(src)) as box, av.open(str(dst), 'w', options={'movflags': '+faststart'} if faststart else {}) as out:
        s = box.streams.video[0]; o = out.add_stream_from_template(s)
        shift = frames * int(1 / (s.average_rate * s.time_base))         # in the stream's time base
        for p in box.demux(s):
            if p.dts is None: continue
            p.pts -= shift; p.dts -= shift; p.stream = o; out.mux(p)
    return dst


@pytest.mark.parametrize('gop,shift', [(1, 2), (5, 5)])
def test_edit_list_at_a_keyframe_is_not_truncation(tmp_path, gop, shift):
    "An edit list that cuts at a keyframe (or an all-intra stream) makes FFmpeg drop the samples before the cut from its index, though the container still counts them: a valid file, read by PyAV, not refused as truncated."
    from video2lora.video import _probe
    src = write_gop(tmp_path/'src.mp4', n=60, gop=gop)
    cut = remux_shifted(src, tmp_path/'cut.mp4', shift)
    with av.open(str(cut)) as box:                                  # the case itself: fewer packets than the container lists
        s = box.streams.video[0]
        assert s.frames == 60 and sum(1 for p in box.demux(s) if p.size) == 60 - shift
    info, index = _probe(cut)
    assert (info.n_frames, info.reader) == (60 - shift, 'pyav') and index.pts is not None, info
    assert video_info(cut, reader='decord').n_frames == 60 - shift  # decord agrees
    whole = read_clip(src).frames
    for n in (1, 7, 60 - shift):
        clip = read_clip(cut, n_frames=n)
        assert clip.reader == 'pyav' and np.array_equal(clip.frames, whole[shift:][clip.indices]), n
    # the same file cut in half is still refused as truncated (moov first, so the header survives the cut)
    data = remux_shifted(src, tmp_path/'fast.mp4', shift, faststart=True).read_bytes()
    half = tmp_path/'half.mp4'; half.write_bytes(data[:len(data) // 2])
    for reader in (None, 'pyav'): expect_call(video_info, half, 'truncated', reader=reader)
    expect(half, 'truncated')


def test_short_packets_fall_back_to_decord(good, tmp_path, monkeypatch):
    "Where PyAV finds fewer packets than the container lists, decord gets a second opinion: it reads a file it can; a truncated file both refuse, in PyAV's words."
    import video2lora.video as V
    monkeypatch.setattr(V, '_held_ignoring_edits', lambda path: 0)  # as if the edit list could not explain the shortfall
    V._pyav_probe_once.cache_clear()
    cut = remux_shifted(write_gop(tmp_path/'src.mp4', n=30, gop=1), tmp_path/'cut.mp4', 2)
    info = video_info(cut)
    assert (info.n_frames, info.reader) == (28, 'decord'), info
    assert read_clip(cut, n_frames=5).reader == 'decord'
    expect_call(video_info, cut, 'the container lists 30 frames, the file holds 28', reader='pyav')
    data = good.read_bytes(); half = tmp_path/'half.mp4'; half.write_bytes(data[:len(data) // 2])
    expect_call(video_info, half, 'the container lists 16 frames')  # PyAV's words, not decord's


def latin1_title(tmp_path):
    "A valid mp4 whose title atom is Latin-1 (b'caf\\xe9'), not UTF-8, as old tools write it."
    p = tmp_path/'title.mp4'
    with av.open(str(p), 'w', format='mp4') as box:
        box.metadata['title'] = 'cafe-title-x'
        st = box.add_stream('libx264', rate=8, options={'threads': '1'}); st.width = st.height = 32; st.pix_fmt = 'yuv420p'
        for i in range(8):
            f = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 30 * i, np.uint8), format='rgb24'); f.pts = i
            for pk in st.encode(f): box.mux(pk)
        for pk in st.encode(): box.mux(pk)
    data = p.read_bytes()
    assert data.count(b'cafe-title-x') == 1
    p.write_bytes(data.replace(b'cafe-title-x', b'caf\xe9-title-x'))   # same length: the atom sizes still hold
    return p


def test_non_utf8_metadata_is_read(tmp_path):
    "Metadata that is not UTF-8 names nothing we use: the video is read (by PyAV), not refused, and nothing escapes without the file name."
    p = latin1_title(tmp_path)
    with pytest.raises(UnicodeDecodeError): av.open(str(p))          # the case itself: PyAV's strict default refuses it
    info = video_info(p)
    assert (info.n_frames, info.width, info.height, info.reader) == (8, 32, 32, 'pyav'), info
    clip = read_clip(p, n_frames=4, size=16)
    assert clip.frames.shape == (4, 16, 16, 3) and clip.reader == 'pyav'


def test_unicode_error_from_pyav_names_the_file(good, monkeypatch):
    "A UnicodeDecodeError from PyAV is caught where FFmpeg's errors are: decord is tried, and a refusal names the file."
    import video2lora.video as V
    def strict(path, **options): raise UnicodeDecodeError('utf-8', b'caf\xe9', 3, 4, 'invalid continuation byte')
    monkeypatch.setattr(V, '_av_open', strict)
    V._pyav_probe_once.cache_clear()
    assert video_info(good).reader == 'decord'
    expect_call(video_info, good, 'not a readable video', reader='pyav')
