#!/usr/bin/env python
"""Long videos (nbs/11_long_video): the frames sweep and the composition experiment, full size, into a new JSON file.

    python tools/long_video.py frames --json benchmarks/long_video/frames.json
    python tools/long_video.py resolution --json benchmarks/long_video/resolution.json
    python tools/long_video.py compose --json benchmarks/long_video/composition.json
    python tools/long_video.py compose --hypernet ../runs/c8pa/hypernet --ways concat --json ../runs/c8pa/composition.json
    python tools/long_video.py needle --json benchmarks/long_video/needle.json
    python tools/long_video.py plot --json benchmarks/long_video/frames.json     # its figure beside it (frames.png), for the README
"""
import argparse, json, time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=['frames', 'resolution', 'compose', 'needle', 'plot'],
                    help='frames: (a) vs (b) at more frames; resolution: at larger frames, split into tiles; compose: segments composed in rank space; needle: a needle in a haystack; plot: the figure of a result JSON, beside it')
    ap.add_argument('--hypernet', default='', help='a saved hypernetwork folder (default: the bundled one)')
    ap.add_argument('--model', default='', help='a tiny SmolVLM folder the hypernetwork was trained for (default: the bundled one)')
    ap.add_argument('--clips', type=int, default=100, help='frames: test clips up to 96 frames; resolution: test clips; compose: long videos per K')
    ap.add_argument('--frames', default='12,24,48,96,192,384,1024', help='frames: frame counts')
    ap.add_argument('--clips-at', default=None, help='fewer clips at large frame counts or sizes, COUNT:CLIPS,... (default: frames 192:40,384:16,1024:4; resolution 384:40)')
    ap.add_argument('--sizes', default='64,128,256,384', help='resolution: frame sides in pixels (384: the 6 x 6 tile grid, the most SmolVLM2 marks)')
    ap.add_argument('--k', default='2,4,8', help='compose: scenes per long video')
    ap.add_argument('--ways', default='concat,mean,norm,dare,ties,placed:concat,streaming:concat,placed+streaming:concat,routed',
                    help='compose: composed conditions, HOW or READING:HOW (long.COMBINE, long.READINGS), or routed')
    ap.add_argument('--reading', default='', help="compose/needle: how segments are read where a way does not say ('': the hypernetwork's training)")
    ap.add_argument('--how', default='concat', help='needle: how the composed adapter is made (long.COMBINE)')
    ap.add_argument('--n', default='1,2,4,8,16,32,64', help='needle: scenes per video')
    ap.add_argument('--videos-at', default='1:12,2:12,4:12,8:12,16:12,32:8,64:4', help='needle: videos per (n, depth) cell, N:VIDEOS,...')
    ap.add_argument('--no-context', action='store_true', help='compose: skip the video in context and the whole-at-once adapter (lever runs)')
    ap.add_argument('--seed', type=int, default=1, help='world seed of the test clips (1: unseen by training, which used 0)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', required=True, help='a new file for the result (plot: an existing result)')
    a = ap.parse_args()
    if a.what == 'plot': return plot(Path(a.json))
    if Path(a.json).exists(): ap.error(f"{a.json}: a file is already there; choose a new path")
    import torch
    from video2lora.tiny import load_tiny
    from video2lora.vlm import load_vlm_folder
    from video2lora.prompts import PromptBuilder
    from video2lora.hypernet import load_hypernet, load_bundled_hypernet
    from video2lora.world import WorldConfig, draw_clip
    from video2lora.long_world import draw_long_video
    from video2lora.long import frames_sweep, resolution_sweep, sweep_table, composition_experiment, composition_table
    from video2lora.needle import needle_experiment, needle_table
    from video2lora.pipeline import reading_of
    from video2lora.io import write_text_atomic
    torch.set_num_threads(a.threads)
    vlm, tok = load_vlm_folder(a.model) if a.model else load_tiny()
    builder = PromptBuilder.for_model(tok, vlm.config)
    hn, meta = load_hypernet(a.hypernet) if a.hypernet else load_bundled_hypernet()
    source_layer = (meta.get('train_config') or {}).get('source_layer', -1)
    reading = a.reading or reading_of(meta)
    t0, wcfg = time.time(), WorldConfig()
    if a.clips_at is None: a.clips_at = '384:40' if a.what == 'resolution' else '192:40,384:16,1024:4'
    at = {int(k): int(v) for k, v in (p.split(':') for p in a.clips_at.split(',') if p)}
    if a.what == 'frames':
        clips = [draw_clip(wcfg, a.seed, 'test', i) for i in range(a.clips)]
        res = frames_sweep(vlm, builder, hn, clips, [int(n) for n in a.frames.split(',')], at, source_layer)
        print(sweep_table(res))
    elif a.what == 'resolution':
        res = resolution_sweep(vlm, builder, hn, [draw_clip(wcfg, a.seed, 'test', i) for i in range(a.clips)],
                               [int(s) for s in a.sizes.split(',')], at, source_layer)
        print(sweep_table(res))
    elif a.what == 'needle':
        res = needle_experiment(vlm, builder, hn, [int(n) for n in a.n.split(',')], videos_at={int(k): int(v) for k, v in (p.split(':') for p in a.videos_at.split(','))},
                                reading=reading, how=a.how, seed=a.seed, source_layer=source_layer)
        print(needle_table(res))
    else:
        res = dict(results=[])
        for k in (int(x) for x in a.k.split(',')):
            vids = [draw_long_video(wcfg, a.seed, 'test', i, k) for i in range(a.clips)]
            train = [draw_long_video(wcfg, a.seed, 'train', i, k) for i in range(1000)]
            r = composition_experiment(vlm, builder, hn, vids, train, a.ways.split(','), reading, whole=not a.no_context,
                                       video_in_context=not a.no_context, source_layer=source_layer)
            res['results'].append(r)
            print(composition_table(r), '\n', flush=True)
    res.update(hypernet=a.hypernet or 'bundled', hypernet_command=meta.get('command'), seconds=round(time.time() - t0, 1),
               command='python tools/long_video.py ' + a.what + ' ' + ' '.join(f'--{k.replace("_", "-")}' + ('' if v is True else f' {v}')
                                                                  for k, v in vars(a).items() if k != 'what' and v not in ('', None, False)), reading=reading)
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(a.json, json.dumps(res, indent=1))
    print(f"{res['seconds'] / 60:.1f} min; written {a.json}")


def plot(path:Path):
    "The figure of a frames, resolution or composition result, written beside it as a new PNG."
    import matplotlib; matplotlib.use('Agg')
    from video2lora.long import plot_frames_sweep, plot_composition
    from video2lora.io import save_figure
    res = json.loads(path.read_text())
    png = path.with_suffix('.png')
    if png.exists(): raise SystemExit(f"{png}: a file is already there; remove it first if it is an old figure of this result")
    if 'rows' in res and 'depth' in res['rows'][0]:
        from video2lora.needle import plot_needle
        per = dict((r['n'], r['n_videos']) for r in res['rows'])
        fig = plot_needle(res, title='a needle in a haystack; videos per cell: ' + ', '.join(f"{v} at {k} scenes" for k, v in per.items()))
    elif 'results' in res: fig = plot_composition(res['results'], title=f"segments composed in rank space ({res['n_videos'] if 'n_videos' in res else res['results'][0]['n_videos']} long videos per K)")
    elif 'size' in res['rows'][0]: fig = plot_frames_sweep(res, title=f"{res['n_clips']} test clips, larger frames split into tiles (fewer clips at the largest)")
    else: fig = plot_frames_sweep(res, title=f"{res['n_clips']} test clips, more frames (fewer clips at the largest counts)")
    save_figure(fig, png, dpi=110)
    print(f"written {png}")


if __name__ == '__main__':
    main()
