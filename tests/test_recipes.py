"""The defaults are the shipped models' recipes (as nanoGPT's defaults are its headline run): each bundled stage's
recorded training config is its named recipe, apart from where and how it ran (folders, threads, when it stopped)."""
import json
from dataclasses import asdict

from video2lora.hypernet import HyperConfig, hypernet_dir
from video2lora.train import HyperTrainConfig, RECIPES
from video2lora.tiny import tiny_dir
from video2lora.tiny_recipe import TinyTrainConfig, TINY_RECIPES

WHERE = {'vlm', 'init', 'init_from', 'threads', 'stop_after'}   # the folders it read, the CPU threads, when it stopped


def recorded(train_config: dict, cfg) -> tuple:
    "The recorded config and the recipe's, both without the fields of where and how a run ran; a field added after the run is at its default (off)."
    keep = lambda d: {k: v for k, v in d.items() if k not in WHERE | {'hyper'}}
    return keep({**asdict(type(cfg)()), **train_config}), keep(asdict(cfg))


def test_bundled_hypernetwork_is_its_recipe():
    hd = hypernet_dir()
    stages = [('stage1_hypernet.json', HyperTrainConfig()), ('stage2_hypernet.json', HyperTrainConfig.recipe('compose')),
              ('hypernet.json', HyperTrainConfig.recipe('compose', steps=800, eval_every=400))]
    assert set(RECIPES) == {'base', 'compose'} and HyperTrainConfig() == HyperTrainConfig.recipe('base')
    for name, cfg in stages:
        meta = json.loads((hd/name).read_text())
        got, want = recorded(meta['train_config'], cfg)
        assert got == want, (name, {k: (got.get(k), want.get(k)) for k in got.keys() | want.keys() if got.get(k) != want.get(k)})
        assert HyperConfig.from_dict(meta['config']) == HyperConfig.tiny()              # the shape: the tiny preset, no overrides


def test_bundled_tiny_vlm_is_its_recipe():
    info = json.loads((tiny_dir()/'training.json').read_text())
    assert [s['config']['seed'] for s in info['stages']] == [0, 0, 1, 2] and list(TINY_RECIPES) == ['answers', 'pointer', 'focus', 'wider']
    assert TinyTrainConfig() == TinyTrainConfig.recipe('answers')
    for stage, name in zip(info['stages'], TINY_RECIPES):
        got, want = recorded(stage['config'], TinyTrainConfig.recipe(name))
        assert got == want, (name, {k: (got.get(k), want.get(k)) for k in got.keys() | want.keys() if got.get(k) != want.get(k)})


def test_unknown_recipe_is_refused_by_name():
    import pytest
    from video2lora.io import ConfigError
    with pytest.raises(ConfigError, match="recipe must be one of"): HyperTrainConfig.recipe('fast')
    with pytest.raises(ConfigError, match="recipe must be one of"): TinyTrainConfig.recipe('stage5')
