#!/bin/bash
# Train the tiny SmolVLM from scratch (three stages, about 2.5 hours on two CPU cores; a fourth, about an hour, for the
# wider world's backdrops and frames split into tiles) and evaluate it.
# Run from the folder that should hold runs/; each stage starts from the previous stage's checkpoint.
set -euo pipefail
video2lora tiny-train --out runs/tiny --steps 1600 --pool 8000 --eval-every 400 --eval-clips 150 --save-every 200 --seed 0
video2lora tiny-train --out runs/tiny2 --init-from runs/tiny/model --steps 1500 --stop-after 500 --lr 1e-3 --warmup 100 \
    --pool 12000 --eval-every 500 --eval-clips 150 --save-every 250 --centre-aux 0.5 --pointer-aux 1.0 --seed 0
video2lora tiny-train --out runs/tiny3 --init-from runs/tiny2/model --steps 1300 --lr 1e-3 --warmup 50 --pool 8000 \
    --eval-every 325 --eval-clips 150 --save-every 100 --centre-aux 0.5 --pointer-aux 1.0 --deep-answer 0.5 \
    --focus direction=3,colour=3,exists=3,order=1.5,change=2,shape=0.5,count=0.5 --seed 1
video2lora tiny-train --out runs/tiny5 --init-from runs/tiny3/model --steps 700 --lr 5e-4 --warmup 50 --pool 8000 --wide-frac 0.5 \
    --split-frac 0.25 --split-pool 2000 --split-batch 8 --eval-every 175 --eval-clips 150 --save-every 100 --centre-aux 0.5 --pointer-aux 1.0 \
    --deep-answer 0.5 --focus direction=3,colour=3,exists=3,order=1.5,change=2,shape=0.5,count=0.5 --seed 2
video2lora tiny-eval --model runs/tiny5/model --out runs/tiny5/eval --clips 500 --long-clips 50 --heldout-clips 200 --wide-clips 300 --split-clips 200
