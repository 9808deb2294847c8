#!/bin/bash
# Train the bundled hypernetwork for the bundled tiny SmolVLM (three runs, about an hour and a half of training on two
# CPU cores, more with the states' encoding) and evaluate it. The defaults are stage 1; `--recipe compose` is the
# composition stage (`HyperTrainConfig.recipe`, `nbs/07_train.ipynb`), run twice, each run from the one before.
# Run from the folder that should hold runs/.
set -euo pipefail
video2lora train --out runs/base
video2lora train --recipe compose --init runs/base/hypernet --out runs/compose
video2lora train --recipe compose --init runs/compose/hypernet --steps 800 --eval-every 400 --out runs/compose2
video2lora eval --hypernet runs/compose2/hypernet --out runs/compose2-eval --clips 500 --heldout-clips 200
