"""Where does a tiny SmolVLM lose a question type: in what the video tokens know, or in reading it out?

    python tools/probe_tiny.py [--model runs/tiny3/model] [--clips 300] [--json out.json]

Prints, on validation clips of the world (video in context, 12 frames):
1. accuracy per question type and per number of objects in the clip (colour, direction, exists);
2. a linear probe of each object token's motion direction from the language model's hidden states, per
   layer (trained on two thirds of the clips, scored on the rest): what the video tokens *know*;
3. a linear probe of the answer of direction questions from the hidden state of the token that predicts
   the answer, per layer: what reaches the answer;
4. the attention mass the best head of each layer puts on the asked-about object, at that token.
Probes are logistic regressions on standardised states (Adam, 300 full-batch steps, seed 0).
"""
from pathlib import Path
import argparse, json, collections
import numpy as np, torch, torch.nn.functional as F
from video2lora.tiny import load_tiny
from video2lora.vlm import load_vlm_folder, generate_answers
from video2lora.tiny_recipe import dense_labels, referent
from video2lora.world import WorldConfig, draw_clip, render, DIRECTIONS
from video2lora.vlm import PromptBuilder


def probe(X, y, n_classes, n_train, seed=0):
    "Held-out accuracy of a logistic regression of `y` on `X` (first `n_train` rows train)."
    torch.manual_seed(seed)
    mu, sd = X[:n_train].mean(0), X[:n_train].std(0) + 1e-5
    X = (X - mu) / sd
    lin = torch.nn.Linear(X.shape[1], n_classes)
    opt = torch.optim.Adam(lin.parameters(), 1e-2, weight_decay=1e-3)
    for _ in range(300):
        loss = F.cross_entropy(lin(X[:n_train]), y[:n_train]); opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): return (lin(X[n_train:]).argmax(1) == y[n_train:]).float().mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default=None, help='saved tiny model folder (default: the bundled one)')
    ap.add_argument('--clips', type=int, default=300, help='validation clips')
    ap.add_argument('--seed', type=int, default=0, help='world seed of the validation clips')
    ap.add_argument('--json', default=None, help='also write the results here')
    args = ap.parse_args()
    if args.json and Path(args.json).exists():      # never replace a file we cannot tell is ours
        ap.error(f"{args.json}: a file is already there; choose a new path")
    torch.set_num_threads(2)
    model, tok = load_vlm_folder(args.model) if args.model else load_tiny()
    model.set_attn_implementation('eager')                       # attention weights for part 4
    b, w = PromptBuilder.for_model(tok, model.config), WorldConfig()
    clips = [draw_clip(w, args.seed, 'val', i) for i in range(args.clips)]
    frames = [render(c) for c in clips]
    labels = [dense_labels(c, w, c.n_frames) for c in clips]     # per-token direction and object index, once per clip
    dirs = sorted(DIRECTIONS)
    n_train = int(len(clips) * 2 / 3)                            # probes: clips [0, n_train) train, the rest test

    # 1. accuracy per type and object count
    prompts, refs = [], []
    for c, f in zip(clips, frames):
        for q in c.qa:
            if q['type'] in ('colour', 'direction', 'exists'):
                prompts.append(b.video_question(f.frames, f.timestamps, q['question'], duration=c.duration)); refs.append((c, q))
    preds = generate_answers(model, b, prompts, 4)
    acc = collections.defaultdict(lambda: [0, 0])
    for p, (c, q) in zip(preds, refs):
        a = acc[f"{q['type']}, {len(c.objects)} object(s)"]; a[0] += p == q['answer']; a[1] += 1
    res = dict(model=args.model or 'bundled', clips=args.clips,
               accuracy_by_objects={k: dict(acc=v[0] / v[1], n=v[1]) for k, v in sorted(acc.items())})

    # 2. token probe, 3. answer probe, 4. attention on the referent
    tok_h, tok_y, tok_clip = collections.defaultdict(list), [], []
    ans_h, ans_y, ans_clip = collections.defaultdict(list), [], []
    mass = collections.defaultdict(list)
    with torch.no_grad():
        for s in range(0, len(clips), 20):
            idx = range(s, min(s + 20, len(clips)))
            batch = b.collate([b.video_question(frames[i].frames, frames[i].timestamps, "describe the video.", duration=clips[i].duration) for i in idx])
            out = model(**batch.model_inputs(), output_hidden_states=True)
            vis = batch.input_ids == model.config.image_token_id
            for l, h in enumerate(out.hidden_states): tok_h[l].append(h[vis].float())
            for i in idx:
                y = torch.from_numpy(labels[i]['direction']).flatten()
                tok_y.append(y); tok_clip += [i] * len(y)
            qs = [(i, q) for i in idx for q in clips[i].qa if q['type'] == 'direction']
            batch = b.collate([b.video_question(frames[i].frames, frames[i].timestamps, q['question'], duration=clips[i].duration) for i, q in qs])
            out = model(**batch.model_inputs(), output_hidden_states=True, output_attentions=True)
            vis = batch.input_ids == model.config.image_token_id
            for l, h in enumerate(out.hidden_states): ans_h[l].append(h[:, -1].float())
            for k, (i, q) in enumerate(qs):
                ans_y.append(dirs.index(q['answer'])); ans_clip.append(i)
                r = referent(clips[i], q['question'])
                if r is None: continue
                on = torch.from_numpy(labels[i]['object']).flatten() == r
                for l, att in enumerate(out.attentions):
                    mass[l].append(att[k, :, -1][:, vis[k]][:, on].sum(1).max().item())
    y, keep = torch.cat(tok_y), torch.tensor(tok_clip)
    obj = y > 0                                                  # object tokens only: the order keeps train clips first
    n_tr = int((keep[obj] < n_train).sum())
    res['token_probe'] = {l: probe(torch.cat(tok_h[l])[obj], y[obj] - 1, 4, n_tr) for l in tok_h}
    ya, n_tr = torch.tensor(ans_y), int((torch.tensor(ans_clip) < n_train).sum())
    res['answer_probe'] = {l: probe(torch.cat(ans_h[l]), ya, 4, n_tr) for l in ans_h}
    res['referent_attention'] = {l: float(np.mean(v)) for l, v in mass.items()}

    print(f"model: {res['model']}, {args.clips} validation clips")
    print("accuracy by object count:")
    for k, v in res['accuracy_by_objects'].items(): print(f"  {k:24s} {v['acc']:.3f} (n={v['n']})")
    print("hidden-state index (0 = embeddings, last = after the final norm):")
    print("  direction of object tokens, linear probe:   " + '  '.join(f"{l}: {v:.3f}" for l, v in res['token_probe'].items()))
    print("  direction answer at the answer token, probe: " + '  '.join(f"{l}: {v:.3f}" for l, v in res['answer_probe'].items()))
    print("layer's best head, attention mass on the asked-about object: " + '  '.join(f"{l}: {v:.3f}" for l, v in res['referent_attention'].items()))
    if args.json:
        from video2lora.io import write_text_atomic
        write_text_atomic(args.json, json.dumps(res, indent=1))


if __name__ == '__main__': main()
