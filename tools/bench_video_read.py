"""Reading 12 frames of real-size footage: PyAV (video2lora's reader, decoding only from the keyframe before each frame
used) against decord (its reader before), side by side in one process, on 1280x720 H.264 made here.

    python tools/bench_video_read.py --out benchmarks/video_read      # about 2 minutes on 2 CPU cores

Three clips of the same 20 s of moving, noisy 1280x720 footage at 30 fps: an mp4 with a keyframe every 250 frames
(x264's default), an mp4 with one every 60 frames (a phone's 2 s), and that stream in MPEG-TS. Each reader reads
`read_clip(path, n_frames=12, size=64)` `--repeats` times, alternating; the median wall and CPU seconds are reported.
Writes video_read.json (with this command) and prints a table.
"""
import argparse, json, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np


def make_clip(path:Path, seconds:int, gop:int, fps:int=30, w:int=1280, h:int=720):
    "Moving, noisy 1280x720 H.264 (a textured square over a gradient, sensor noise on every frame)."
    import av
    rng = np.random.default_rng(0)
    base = np.broadcast_to(np.linspace(40, 200, w, dtype=np.float32)[None, :, None], (h, w, 3)).copy()
    with av.open(str(path), 'w') as box:
        st = box.add_stream('libx264', rate=fps, options={'preset': 'ultrafast', 'g': str(gop), 'keyint_min': str(gop)})
        st.width, st.height, st.pix_fmt = w, h, 'yuv420p'
        for i in range(seconds * fps):
            f = base + rng.normal(0, 12, (h, w, 1)).astype(np.float32)
            x, y = (i * 7) % (w - 200), (i * 3) % (h - 200)
            f[y:y + 200, x:x + 200] = (230, 60, 40)
            fr = av.VideoFrame.from_ndarray(np.clip(f, 0, 255).astype(np.uint8), format='rgb24'); fr.pts = i
            for p in st.encode(fr): box.mux(p)
        for p in st.encode(): box.mux(p)


def to_ts(src:Path, dst:Path):
    "The same H.264 stream remuxed into MPEG-TS (no re-encoding)."
    import av
    with av.open(str(src)) as i, av.open(str(dst), 'w', format='mpegts') as o:
        s = o.add_stream_from_template(i.streams.video[0])
        for p in i.demux(i.streams.video[0]):
            if p.dts is None: continue
            p.stream = s; o.mux(p)


def time_read(path:Path, reader:str) -> tuple:
    "(wall s, CPU s) of one read, in a fresh process (no file cache of decoders between runs)."
    code = ("import resource, sys, time; from video2lora.video import read_clip; r0 = resource.getrusage(resource.RUSAGE_SELF); "
            "t0 = time.perf_counter(); c = read_clip(sys.argv[1], n_frames=12, size=64, reader=sys.argv[2]); t1 = time.perf_counter(); "
            "r1 = resource.getrusage(resource.RUSAGE_SELF); print(t1 - t0, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, len(c))")
    out = subprocess.run([sys.executable, '-c', code, str(path), reader], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[2]) == 12
    return float(out[0]), float(out[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default='benchmarks/video_read'); ap.add_argument('--repeats', type=int, default=3)
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp())
    clips = {'mp4, keyframe every 250 frames': d/'hd_250.mp4', 'mp4, keyframe every 60 frames': d/'hd_60.mp4', 'MPEG-TS, keyframe every 60 frames': d/'hd_60.ts'}
    make_clip(clips['mp4, keyframe every 250 frames'], 20, 250); make_clip(clips['mp4, keyframe every 60 frames'], 20, 60)
    to_ts(clips['mp4, keyframe every 60 frames'], clips['MPEG-TS, keyframe every 60 frames'])
    rows = []
    for name, path in clips.items():
        t = {r: [] for r in ('pyav', 'decord')}
        for _ in range(args.repeats):
            for r in t: t[r].append(time_read(path, r))                      # alternating: the machine's load falls on both
        med = {r: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for r, v in t.items()}
        rows.append(dict(clip=name, mb=round(path.stat().st_size / 1e6, 1), pyav_wall=med['pyav'][0], pyav_cpu=med['pyav'][1],
                         decord_wall=med['decord'][0], decord_cpu=med['decord'][1]))
        print(f"{name:36s} {rows[-1]['mb']:5.1f} MB | PyAV {med['pyav'][0]:6.2f} s wall {med['pyav'][1]:6.2f} s CPU | "
              f"decord {med['decord'][0]:6.2f} s wall {med['decord'][1]:6.2f} s CPU | decord/PyAV CPU {med['decord'][1] / med['pyav'][1]:.2f}x")
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    from video2lora.io import write_text_atomic
    write_text_atomic(out/'video_read.json', json.dumps(dict(command='python tools/bench_video_read.py ' + ' '.join(sys.argv[1:]),
                                                              repeats=args.repeats, rows=rows), indent=1))
    print(f"results in {out/'video_read.json'}")


if __name__ == '__main__': main()
