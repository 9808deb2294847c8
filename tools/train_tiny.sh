#!/bin/bash
# Train the tiny SmolVLM from scratch (three stages, about 2.5 hours on two CPU cores; a fourth, about an hour, for the
# wider world's backdrops and frames split into tiles) and evaluate it. Each stage is a named recipe
# (`TinyTrainConfig.recipe`, `nbs/03a_tiny_recipe.ipynb`) and starts from the previous stage's checkpoint.
# Run from the folder that should hold runs/.
set -euo pipefail
video2lora tiny-train --out runs/tiny
video2lora tiny-train --recipe pointer --init-from runs/tiny/model --stop-after 500 --out runs/tiny2
video2lora tiny-train --recipe focus --init-from runs/tiny2/model --out runs/tiny3
video2lora tiny-train --recipe wider --init-from runs/tiny3/model --out runs/tiny5
video2lora tiny-eval --model runs/tiny5/model --out runs/tiny5/eval --clips 500 --long-clips 50 --heldout-clips 200 --wide-clips 300 --split-clips 200
