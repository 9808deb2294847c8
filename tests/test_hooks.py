"The hook extractor equals output_hidden_states, cleans up after errors, and refuses adapted models."
import numpy as np
import pytest
import torch

from video2lora.hooks import extract_layer_states, AdapterAppliedError, ADAPTER_MARK, decoder_layers
from video2lora.vlm import build_vlm, preset_config
from video2lora.prompts import PromptBuilder
from video2lora.tiny import TINY_PRESET
from video2lora.tiny_recipe import tiny_tokenizer


@pytest.fixture(scope='module')
def setup():
    model = build_vlm(preset_config(TINY_PRESET))
    b = PromptBuilder.for_model(tiny_tokenizer(), model.config)
    rng = np.random.default_rng(0)
    prompts = [b.internalize(rng.integers(0, 255, (n, 64, 64, 3), dtype=np.uint8), np.arange(n) * 0.25, duration=n * 0.25) for n in (12, 5)]
    return model, b, prompts


@pytest.mark.parametrize('side', ['left', 'right'])
def test_equals_output_hidden_states(setup, side):
    model, b, prompts = setup
    batch = b.collate(prompts, padding_side=side)
    ls = extract_layer_states(model, batch, final=True)
    with torch.no_grad(): ref = model(**batch.model_inputs(), output_hidden_states=True).hidden_states
    for i in range(len(prompts)):
        real = batch.attention_mask[i].bool(); n = int(real.sum())
        for j, l in enumerate(ls.layers): assert torch.equal(ls.states[i, j, :n], ref[l][i, real])
        assert not ls.mask[i, n:].any() and (ls.states[i, :, n:] == 0).all()
    assert ls.states.requires_grad is False and ls.states.grad_fn is None


def test_no_hook_left_after_exception(setup):
    model, b, prompts = setup
    count = lambda: sum(len(l._forward_pre_hooks) + len(l._forward_hooks) for l in decoder_layers(model))
    before = count()
    batch = b.collate(prompts)
    batch.pixel_values = batch.pixel_values[:, :3]      # fewer frames than image tokens: the forward fails
    with pytest.raises(Exception): extract_layer_states(model, batch)
    assert count() == before


def test_refuses_adapted_model(setup):
    model, b, prompts = setup
    setattr(model, ADAPTER_MARK, 1)
    try:
        with pytest.raises(AdapterAppliedError): extract_layer_states(model, b.collate(prompts))
    finally: setattr(model, ADAPTER_MARK, 0)
