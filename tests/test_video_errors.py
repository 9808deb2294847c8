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
    # this damage (fixed seed) breaks a NAL unit: decord's batch decode fails, and the error names the file and the problem
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
