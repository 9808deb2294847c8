#!/usr/bin/env python
"""Where the adapter's captions differ from the video in context's: each caption parsed back into its events
(the world's caption grammar) and compared with the clip's true events, field by field.

    python tools/caption_errors.py --clips 300 --json benchmarks/captions/errors.json
"""
import argparse, json, re, sys, time
from collections import Counter
from pathlib import Path

APPEAR = re.compile(r"a (\w+) (\w+) (\w+) (?:moves|appears and moves) (\w+)")
CHANGE = re.compile(r"the (\w+) (\w+) turns (\w+)")
GONE = re.compile(r"the (\w+) (\w+) disappears")


def events(caption:str) -> list:
    "The events a caption states, in order: ('appear', size, colour, shape, direction), ('change', colour, shape, to), ('disappear', colour, shape)."
    out = []
    for part in caption.replace('then ', '').split('.'):
        part = part.strip()
        if m := APPEAR.fullmatch(part): out.append(('appear',) + m.groups())
        elif m := CHANGE.fullmatch(part): out.append(('change',) + m.groups())
        elif m := GONE.fullmatch(part): out.append(('disappear',) + m.groups())
        elif part: out.append(('unparsed', part))
    return out


def compare(pred:str, ref:str) -> Counter:
    "What differs between two captions: per appear event (matched by shape) its size, colour, direction; events missing, extra, out of order."
    p, r, c = events(pred), events(ref), Counter()
    pa, ra = {e[3]: e for e in p if e[0] == 'appear'}, {e[3]: e for e in r if e[0] == 'appear'}
    for shape, e in ra.items():
        if shape not in pa: c['object missing'] += 1; continue
        for k, name in ((1, 'size'), (2, 'colour'), (4, 'direction')):
            if pa[shape][k] != e[k]: c[f'{name} wrong'] += 1
    c['object extra'] += len(set(pa) - set(ra))
    rest = lambda es: [e for e in es if e[0] != 'appear']
    c['change/disappear missing'] += len(set(rest(r)) - set(rest(p)))
    c['change/disappear extra'] += len(set(rest(p)) - set(rest(r)))
    if [e[3] for e in p if e[0] == 'appear'] != [e[3] for e in r if e[0] == 'appear'] and set(pa) == set(ra): c['order wrong'] += 1
    c['unparsed'] += sum(e[0] == 'unparsed' for e in p)
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--clips', type=int, default=300)
    ap.add_argument('--seed', type=int, default=0, help='world seed of the test clips')
    ap.add_argument('--hypernet', default='', help='a hypernetwork folder (default: the bundled one)')
    ap.add_argument('--json', required=True)
    a = ap.parse_args()
    if Path(a.json).exists(): ap.error(f"{a.json}: a file is already there")
    from video2lora.pipeline import Video2LoRA, internalize_clips, adapter_answers
    from video2lora.evaluate import video_answers
    from video2lora.world import WorldConfig, draw_clip, render
    from video2lora.metrics import CAPTION_QUESTION
    t0 = time.time()
    v2l = Video2LoRA.load(hypernet=a.hypernet or None)
    clips = [draw_clip(WorldConfig(), a.seed, 'test', i) for i in range(a.clips)]
    renders = [render(c) for c in clips]
    cap_a, _, _ = video_answers(v2l.vlm, v2l.builder, clips, renders, [CAPTION_QUESTION] * len(clips), 64)
    ads = internalize_clips(v2l.vlm, v2l.builder, v2l.hypernet, renders, [c.duration for c in clips])
    cap_b = adapter_answers(v2l.vlm, v2l.builder, ads, list(range(len(clips))), [CAPTION_QUESTION] * len(clips), 64)
    res = {}
    for name, caps in (('a_video_in_context', cap_a), ('b_video2lora', cap_b)):
        tot = Counter()
        for p, c in zip(caps, clips): tot += compare(p, c.caption)
        objects = sum(len(c.objects) for c in clips)
        res[name] = dict(errors=dict(tot), per_object={k: v / objects for k, v in tot.items()}, exact=sum(p == c.caption for p, c in zip(caps, clips)) / len(clips))
    res.update(clips=a.clips, objects=sum(len(c.objects) for c in clips), seconds=round(time.time() - t0, 1),
               command='python tools/caption_errors.py ' + ' '.join(sys.argv[1:]),
               examples=[dict(reference=c.caption, a=x, b=y) for c, x, y in list(zip(clips, cap_a, cap_b))[:5]])
    Path(a.json).parent.mkdir(parents=True, exist_ok=True); Path(a.json).write_text(json.dumps(res, indent=1))
    keys = sorted(set(res['a_video_in_context']['errors']) | set(res['b_video2lora']['errors']))
    print(f"{'error':28s} {'(a) video':>10s} {'(b) adapter':>12s}   per object, {res['objects']} objects in {a.clips} clips")
    for k in keys: print(f"{k:28s} {res['a_video_in_context']['per_object'].get(k, 0):10.3f} {res['b_video2lora']['per_object'].get(k, 0):12.3f}")
    print(f"exact captions: (a) {res['a_video_in_context']['exact']:.3f}, (b) {res['b_video2lora']['exact']:.3f}")


if __name__ == '__main__':
    main()
