#!/usr/bin/env python
"""Hook-extractor benchmark: extraction time / plain forward time, and peak memory, side by side in one run.

Both paths encode the frames in chunks and run the language model on the same internalization turn; the
extraction path adds the forward pre-hooks and packs the states. Each configuration runs in its own
subprocess so that its peak memory (max RSS) is its own.

    python tools/bench_hooks.py            # tiny model (12 frames) and SmolVLM2-256M preset (bf16, 4 frames)
    python tools/bench_hooks.py --quick
"""
import argparse, json, subprocess, sys, time

CHILD = r'''
import json, resource, sys, time, numpy as np, torch
from video2lora.vlm import build_vlm, preset_config, PromptBuilder, prompt_embeddings
from video2lora.hooks import extract_layer_states
from video2lora.tiny import TINY_PRESET
from video2lora.tiny_recipe import tiny_tokenizer
name, n_frames, repeats, mode, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
torch.set_num_threads(threads)
tok = tiny_tokenizer() if name == 'tiny' else None
if name == 'tiny': model = build_vlm(preset_config(TINY_PRESET))
else:
    from video2lora.vlm import word_tokenizer
    tok = word_tokenizer([]); model = build_vlm(name, dtype=torch.bfloat16)
b = PromptBuilder.for_model(tok, model.config)
frames = np.random.default_rng(0).integers(0, 255, (n_frames, 64, 64, 3), dtype=np.uint8)
batch = b.collate([b.internalize(frames, np.arange(n_frames) * 0.5, duration=n_frames * 0.5)])
@torch.no_grad()
def plain():
    emb = prompt_embeddings(model, batch, 4)
    model.model.text_model(inputs_embeds=emb, attention_mask=batch.attention_mask, use_cache=False)
def extract(): extract_layer_states(model, batch, chunk_size=4)
fn = plain if mode == 'plain' else extract
fn()  # warm-up
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for _ in range(repeats):
    t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
print(json.dumps(dict(median=float(np.median(times)), tokens=int(batch.input_ids.shape[1]),
                      peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rss_after_warmup_mib=rss0 / 1024)))
'''


def run(name, n_frames, repeats, mode, threads):
    out = subprocess.run([sys.executable, '-c', CHILD, name, str(n_frames), str(repeats), mode, str(threads)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='fewer repeats')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    reps = 3 if a.quick else 7
    configs = [('tiny', 12), ('smolvlm2-256m', 4)]
    print(f"{'model':15s} {'frames':>6s} {'tokens':>6s} {'plain s':>8s} {'extract s':>9s} {'ratio':>6s} {'plain MiB':>9s} {'extract MiB':>11s}")
    for name, n in configs:
        p, e = run(name, n, reps, 'plain', a.threads), run(name, n, reps, 'extract', a.threads)
        print(f"{name:15s} {n:6d} {p['tokens']:6d} {p['median']:8.3f} {e['median']:9.3f} {e['median'] / p['median']:6.3f} "
              f"{p['peak_rss_mib']:9.0f} {e['peak_rss_mib']:11.0f}")
    print("target: ratio <= 1.05 (extraction adds only hooks and a gather to the same forward)")


if __name__ == '__main__': main()
