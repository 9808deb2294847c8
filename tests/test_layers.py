"""The house rule: every module imports only from the layers below it, and the inference path imports nothing
from the world, training, evaluation or the benchmark. Read from the source (every import, at any depth)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [                                   # bottom to top; a module may import from its own layer's earlier modules
    ('base', ['io']),
    ('data', ['video', 'world', 'long_world', 'metrics', 'dataset']),
    ('models', ['vlm', 'prompts', 'tiny']),
    ('method', ['hooks', 'lora', 'adapter_files', 'hypernet']),
    ('use', ['familiar', 'pipeline', '__init__']),
    ('learning', ['train_parts', 'tiny_recipe', 'tiny_probes', 'tiny_probes', 'states', 'train']),
    ('measuring', ['evaluate', 'diagnose', 'bench', 'serving', 'long', 'needle', 'components']),
    ('apps', ['explore', 'cli_options', 'cli']),
]
ORDER = [m for _, ms in LAYERS for m in ms]
INFERENCE = {'io', 'video', 'vlm', 'prompts', 'tiny', 'hooks', 'lora', 'adapter_files', 'hypernet', 'familiar', 'pipeline', '__init__'}
NOT_FOR_INFERENCE = {'world', 'long_world', 'metrics', 'dataset', 'train_parts', 'tiny_recipe', 'tiny_probes', 'states', 'train', 'evaluate', 'diagnose', 'long', 'needle', 'bench', 'serving', 'components', 'explore', 'cli_options', 'cli'}


def imports(module:str) -> set:
    "The video2lora modules that `module` imports anywhere in its source (top level or inside functions)."
    tree = ast.parse((ROOT/'video2lora'/f'{module}.py').read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            name = ('video2lora.' + (node.module or '')) if node.level else (node.module or '')
            if name.startswith('video2lora.'): found.add(name.split('.')[1])
            elif name == 'video2lora': found |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split('.')[1] for a in node.names if a.name.startswith('video2lora.')}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith('video2lora.'):
            found.add(node.value.split('.')[1])                     # importlib.import_module('video2lora.x')
    return found & set(ORDER)


def test_every_module_has_a_layer():
    mods = {p.stem for p in (ROOT/'video2lora').glob('*.py') if p.stem != '_modidx'}
    assert mods == set(ORDER), mods ^ set(ORDER)


def test_imports_go_down_only():
    bad = [f"{m} imports {d}" for m in ORDER for d in imports(m) if ORDER.index(d) >= ORDER.index(m) and d != m]
    assert not bad, bad


def test_inference_path_stands_alone():
    bad = [f"{m} imports {d}" for m in INFERENCE for d in imports(m) if d in NOT_FOR_INFERENCE]
    assert not bad, bad


def test_the_api_lives_on_the_inference_path():
    import video2lora
    assert {video2lora._API[n] for n in video2lora.__all__} <= INFERENCE
