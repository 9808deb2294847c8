#!/usr/bin/env python
"""Long videos (nbs/11_long_video): the frames sweep and the composition experiment, full size, into a new JSON file.

    python tools/long_video.py frames --json benchmarks/long_video/frames.json
    python tools/long_video.py resolution --json benchmarks/long_video/resolution.json
    python tools/long_video.py compose --json benchmarks/long_video/composition.json
    python tools/long_video.py compose --hypernet runs/compose1/hypernet --json runs/compose1/composition.json
"""
import argparse, json, time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=['frames', 'resolution', 'compose'],
                    help='frames: (a) vs (b) at more frames; resolution: at larger frames, split into tiles; compose: segments composed in rank space')
    ap.add_argument('--hypernet', default='', help='a saved hypernetwork folder (default: the bundled one)')
    ap.add_argument('--clips', type=int, default=100, help='frames: test clips up to 96 frames; resolution: test clips; compose: long videos per K')
    ap.add_argument('--frames', default='12,24,48,96,192,384,1024', help='frames: frame counts')
    ap.add_argument('--clips-at', default='192:40,384:16,1024:4', help='frames and resolution: fewer clips at large frame counts or sizes, COUNT:CLIPS,...')
    ap.add_argument('--sizes', default='64,128,256,384', help='resolution: frame sides in pixels (384: the 6 x 6 tile grid, the most SmolVLM2 marks)')
    ap.add_argument('--k', default='2,4,8', help='compose: scenes per long video')
    ap.add_argument('--seed', type=int, default=1, help='world seed of the test clips (1: unseen by training, which used 0)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', required=True, help='a new file for the result')
    a = ap.parse_args()
    if Path(a.json).exists(): ap.error(f"{a.json}: a file is already there; choose a new path")
    import torch
    from video2lora.tiny import load_tiny
    from video2lora.vlm import PromptBuilder
    from video2lora.hypernet import load_hypernet, load_bundled_hypernet
    from video2lora.world import WorldConfig, draw_clip
    from video2lora.long_world import draw_long_video
    from video2lora.long import frames_sweep, resolution_sweep, sweep_table, composition_experiment, composition_table
    from video2lora.io import write_text_atomic
    torch.set_num_threads(a.threads)
    vlm, tok = load_tiny()
    builder = PromptBuilder.for_model(tok, vlm.config)
    hn, meta = load_hypernet(a.hypernet) if a.hypernet else load_bundled_hypernet()
    source_layer = (meta.get('train_config') or {}).get('source_layer', -1)
    t0, wcfg = time.time(), WorldConfig()
    at = {int(k): int(v) for k, v in (p.split(':') for p in a.clips_at.split(',') if p)}
    if a.what == 'frames':
        clips = [draw_clip(wcfg, a.seed, 'test', i) for i in range(a.clips)]
        res = frames_sweep(vlm, builder, hn, clips, [int(n) for n in a.frames.split(',')], at, source_layer)
        print(sweep_table(res))
    elif a.what == 'resolution':
        res = resolution_sweep(vlm, builder, hn, [draw_clip(wcfg, a.seed, 'test', i) for i in range(a.clips)],
                               [int(s) for s in a.sizes.split(',')], at, source_layer)
        print(sweep_table(res))
    else:
        res = dict(results=[])
        for k in (int(x) for x in a.k.split(',')):
            vids = [draw_long_video(wcfg, a.seed, 'test', i, k) for i in range(a.clips)]
            train = [draw_long_video(wcfg, a.seed, 'train', i, k) for i in range(1000)]
            r = composition_experiment(vlm, builder, hn, vids, train, source_layer=source_layer)
            res['results'].append(r)
            print(composition_table(r), '\n', flush=True)
    res.update(hypernet=a.hypernet or 'bundled', hypernet_command=meta.get('command'), seconds=round(time.time() - t0, 1),
               command='python tools/long_video.py ' + a.what + ' ' + ' '.join(f'--{k.replace("_", "-")} {v}' for k, v in vars(a).items() if k != 'what' and v not in ('', None)))
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(a.json, json.dumps(res, indent=1))
    print(f"{res['seconds'] / 60:.1f} min; written {a.json}")


if __name__ == '__main__':
    main()
