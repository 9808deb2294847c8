"Integration tests of the LoRA emitter: peft round trip at a real SmolVLM2 size, and bad input."
import json, shutil

import pytest
import torch

from video2lora.vlm import build_vlm, preset_config
from video2lora.tiny import TINY_PRESET
from video2lora.lora import ModelSignature, random_adapter, apply_adapter, compose, AdapterMismatchError, AdapterFileError
from video2lora.adapter_files import export_peft, import_peft, peft_load_strict, peft_module_path
from video2lora.hypernet import HyperConfig, HyperNetwork


def test_peft_round_trip_smolvlm2_256m(tmp_path):
    "An exported adapter on the real 256M architecture loads in peft under any name and gives the same logits."
    torch.manual_seed(0)
    model = build_vlm('smolvlm2-256m', dtype=torch.float32, seed=0)
    ad = random_adapter(ModelSignature.from_model(model), rank=8, modules=('down_proj', 'q_proj'), std=0.05, scaling=0.5)
    export_peft(ad, tmp_path / 'peft')
    ids = torch.randint(10, 40000, (2, 9))
    with torch.no_grad():
        base = model(input_ids=ids).logits
        with apply_adapter(model, ad): ours = model(input_ids=ids).logits
        names = {n for n, _ in model.named_modules()}
        pm = peft_load_strict(model, tmp_path / 'peft', adapter_name='clip_0042')
        wrapped = {n for n, m in pm.named_modules() if hasattr(m, 'lora_A')}
        theirs = pm(input_ids=ids).logits
    assert (ours - base).abs().max() > 1e-3                         # the adapter does something
    assert torch.allclose(ours, theirs, atol=1e-5), (ours - theirs).abs().max()
    expect = {f"base_model.model.{peft_module_path(l, m)}" for l, m in ad.keys}
    assert wrapped == expect                                         # exactly the real module paths, none elsewhere
    assert {peft_module_path(l, m) for l, m in ad.keys} <= names


def test_import_rejects_other_model_and_corrupt_files(tmp_path):
    tiny = build_vlm(preset_config(TINY_PRESET), seed=0)
    m256 = build_vlm('smolvlm2-256m', device='meta')
    ad = random_adapter(ModelSignature.from_model(tiny), rank=4)
    export_peft(ad, tmp_path / 'p')
    with pytest.raises(AdapterMismatchError, match='30 decoder layers'): import_peft(tmp_path / 'p', m256)
    with pytest.raises(AdapterMismatchError, match='30 decoder layers|do not fit'):
        ModelSignature.from_model(m256).check(import_peft(tmp_path / 'p', tiny).signature)
    with pytest.raises(AdapterMismatchError, match='this model has 30 decoder layers'):
        with apply_adapter(m256, ad): pass
    shutil.copytree(tmp_path / 'p', tmp_path / 'c')
    (tmp_path / 'c' / 'adapter_config.json').write_text('{"r": ')
    with pytest.raises(AdapterFileError, match='adapter_config.json: corrupt JSON file'): import_peft(tmp_path / 'c', tiny)
    (tmp_path / 'p' / 'adapter_model.safetensors').unlink()
    with pytest.raises(AdapterFileError, match='no adapter_model.safetensors'): import_peft(tmp_path / 'p', tiny)


def test_save_is_atomic_on_failure(tmp_path, monkeypatch):
    "A failed save leaves the previous adapter folder intact and no temporary folder behind."
    tiny = build_vlm(preset_config(TINY_PRESET), seed=0)
    a1 = random_adapter(ModelSignature.from_model(tiny), rank=4, seed=1)
    export_peft(a1, tmp_path / 'a')
    import video2lora.adapter_files as F
    def boom(*a, **k): raise OSError('disk full')
    monkeypatch.setattr(F, 'save_file', boom)
    with pytest.raises(OSError, match='disk full'): export_peft(random_adapter(a1.signature, rank=4, seed=2), tmp_path / 'a')
    back = import_peft(tmp_path / 'a', tiny)
    assert torch.equal(back.A[(0, 'down_proj')], a1.A[(0, 'down_proj')])
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a']


def test_hypernet_adapter_exports_and_composes(tmp_path):
    "Adapters written by the hypernetwork for two segments compose, and the composition exports to peft."
    tiny = build_vlm(preset_config(TINY_PRESET), seed=0)
    h = HyperNetwork(HyperConfig.tiny(rank=8, bias_rank=2))
    with torch.no_grad():
        for p in h.head_B.values(): p.normal_(0, 0.05)
        ad = h(torch.randn(2, 4, 20, 192), torch.ones(2, 20, dtype=torch.bool))
    assert ad.shared_ranks == 2                                      # the hypernetwork says which ranks every video shares
    comp = compose([ad[0], ad[1]], [0.5, 0.5])                       # by default the 2 bias ranks once, at weight 1
    assert (comp.rank, comp.shared_ranks) == (8 + 8 + 2, 2)
    key = (1, 'down_proj')
    bias = ad.scaling * ad.B[key][0, :, -2:] @ ad.A[key][0, -2:]
    want = 0.5 * (ad[0].delta(*key) - bias) + 0.5 * (ad[1].delta(*key) - bias) + bias
    assert torch.allclose(comp.delta(*key), want, atol=1e-6)
    naive = compose([ad[0], ad[1]], [0.5, 0.5], shared_ranks=0)
    assert naive.rank == 20 and torch.allclose(naive.delta(*key), 0.5 * ad[0].delta(*key) + 0.5 * ad[1].delta(*key), atol=1e-6)
    export_peft(comp, tmp_path / 'c')
    ids = torch.randint(10, 200, (1, 7))
    with torch.no_grad():
        with apply_adapter(tiny, comp): ours = tiny(input_ids=ids).logits
        theirs = peft_load_strict(build_vlm(preset_config(TINY_PRESET), seed=0), tmp_path / 'c', 'seg').forward(input_ids=ids).logits
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_shared_ranks_survive_export_and_import(tmp_path):
    "An adapter's shared ranks go into video2lora.json and come back, so a folder composes like the adapter it was."
    tiny = build_vlm(preset_config(TINY_PRESET), seed=0)
    h = HyperNetwork(HyperConfig.tiny(rank=8, bias_rank=3))
    with torch.no_grad(): ad = h(torch.randn(2, 4, 20, 192), torch.ones(2, 20, dtype=torch.bool))
    for i in range(2): export_peft(ad[i], tmp_path / f'a{i}')
    back = [import_peft(tmp_path / f'a{i}', tiny) for i in range(2)]
    assert [b.shared_ranks for b in back] == [3, 3]
    assert compose(back).rank == compose([ad[0], ad[1]]).rank == 8 + 8 + 3


def test_adapter_files_refuse_non_finite_and_odd_files(tmp_path):
    "NaN factors are refused when written and when read (naming the tensor), and a pipe named like an adapter file never hangs a read."
    import os
    from safetensors.torch import load_file, save_file
    tiny = build_vlm(preset_config(TINY_PRESET), seed=0)
    ad = random_adapter(ModelSignature.from_model(tiny), rank=4)
    bad = ad.with_factors(ad.A, {k: v * float('nan') for k, v in ad.B.items()})
    with pytest.raises(ValueError, match='holds NaN or infinite values; refusing to write it'): export_peft(bad, tmp_path / 'nan')
    assert not (tmp_path / 'nan').exists()
    export_peft(ad, tmp_path / 'p')
    t = load_file(tmp_path / 'p' / 'adapter_model.safetensors')
    k = sorted(t)[1]; t[k] = torch.full_like(t[k], float('inf'))
    save_file(t, tmp_path / 'p' / 'adapter_model.safetensors')
    with pytest.raises(AdapterFileError, match=f"tensor '{k}' holds NaN or infinite values"): import_peft(tmp_path / 'p', tiny)
    (tmp_path / 'p' / 'adapter_model.safetensors').unlink(); os.mkfifo(tmp_path / 'p' / 'adapter_model.safetensors')
    with pytest.raises(AdapterFileError, match='is not a regular file'): import_peft(tmp_path / 'p', tiny)


@pytest.mark.parametrize('config, says', [
    ({'r': 0}, 'r must be a positive integer, got 0'),
    ({'r': None}, 'r must be a positive integer, got None'),
    ({'r': 2.5}, 'r must be a positive integer, got 2.5'),
    ({'lora_alpha': 'four'}, "lora_alpha must be a finite number, got 'four'"),
    ({'lora_alpha': False}, 'lora_alpha must be a finite number, got False'),
    ({'use_rslora': 'yes'}, "use_rslora must be true or false, got 'yes'"),
    ({'peft_type': 'IA3'}, "peft_type 'IA3' is not LORA"),
    ({'r': 16}, 'r is 16 but the factors have rank 4'),
])
def test_hand_edited_peft_config_is_one_line(tmp_path, config, says):
    tiny = build_vlm(preset_config(TINY_PRESET), seed=0)
    export_peft(random_adapter(ModelSignature.from_model(tiny), rank=4), tmp_path / 'p')
    path = tmp_path / 'p' / 'adapter_config.json'
    path.write_text(json.dumps({**json.loads(path.read_text()), **config}))
    with pytest.raises((AdapterFileError, AdapterMismatchError)) as e: import_peft(tmp_path / 'p', tiny)
    assert says in str(e.value) and '\n' not in str(e.value)
