"The prompt builder against transformers' SmolVLMProcessor (needs torchvision, which the project does not install)."
import importlib.util

import numpy as np
import pytest
import torch

from video2lora.vlm import preset_config, build_vlm, PRESETS, count_params
from video2lora.prompts import PromptBuilder, word_tokenizer

HAS_TORCHVISION = importlib.util.find_spec('torchvision') is not None


@pytest.mark.skipif(not HAS_TORCHVISION, reason="torchvision is not installed: SmolVLMProcessor cannot be constructed without it "
                                                "(video2lora does not depend on torchvision; the builder is checked against the "
                                                "processor's template strings in nbs/02_vlm.ipynb instead)")
def test_builder_matches_processor_token_for_token():
    from transformers import SmolVLMProcessor, SmolVLMImageProcessor, SmolVLMVideoProcessor
    from transformers.video_utils import VideoMetadata
    tok = word_tokenizer('what colour is the circle ?'.split())
    cfg = preset_config('smolvlm2-500m')
    proc = SmolVLMProcessor(image_processor=SmolVLMImageProcessor(), tokenizer=tok, video_processor=SmolVLMVideoProcessor(),
                            image_seq_len=64)
    frames = np.random.default_rng(0).integers(0, 255, (4, 512, 512, 3), dtype=np.uint8)
    meta = VideoMetadata(total_num_frames=4, fps=1.0, duration=4.0, frames_indices=[0, 1, 2, 3])
    text = "<|im_start|>User: <video>what colour is the circle?<end_of_utterance>\nAssistant:"
    ref = proc(text=[text], videos=[frames], videos_kwargs=dict(video_metadata=[meta], do_sample_frames=False), return_tensors='pt')
    b = PromptBuilder.for_model(tok, cfg)
    mine = b.collate([b.video_question(frames, [0., 1., 2., 3.], 'what colour is the circle?', duration=4.0)])
    assert mine.input_ids.tolist() == ref['input_ids'].tolist()
    torch.testing.assert_close(mine.pixel_values, ref['pixel_values'].float(), atol=2e-2, rtol=0)


def test_presets_param_counts():
    totals = {n: count_params(build_vlm(n, device='meta'))['total'] for n in PRESETS}
    assert abs(totals['smolvlm2-256m'] / 1e6 - 256) < 3
    assert abs(totals['smolvlm2-500m'] / 1e6 - 507) < 3
    assert abs(totals['smolvlm2-2.2b'] / 1e9 - 2.25) < 0.02


@pytest.mark.skipif(not HAS_TORCHVISION, reason="torchvision is not installed: SmolVLMProcessor cannot be constructed without it "
                                                "(the split layout is checked against the processor's template strings in nbs/02_vlm.ipynb)")
def test_split_image_matches_processor_token_for_token():
    "A 1024 px image split into 2 x 2 tiles of 512 plus the global tile: the same tokens as the processor's image path."
    from transformers import SmolVLMProcessor, SmolVLMImageProcessor, SmolVLMVideoProcessor
    from video2lora.prompts import image_text, chat_text
    tok = word_tokenizer('what colour is the circle ?'.split())
    proc = SmolVLMProcessor(image_processor=SmolVLMImageProcessor(size={'longest_edge': 1024}, max_image_size={'longest_edge': 512}),
                            tokenizer=tok, video_processor=SmolVLMVideoProcessor(), image_seq_len=64)
    image = np.random.default_rng(0).integers(0, 255, (1024, 1024, 3), dtype=np.uint8)
    ref = proc(text=["<|im_start|>User: <image>what colour is the circle?<end_of_utterance>\nAssistant:"], images=[[image]], return_tensors='pt')
    b = PromptBuilder.for_model(tok, preset_config('smolvlm2-500m'), split=True)
    mine = b.encode(chat_text(image_text(64, 2, 2) + 'what colour is the circle?'))
    assert mine == ref['input_ids'][0].tolist()
    assert ref['pixel_values'].shape[1] == len(b.video_inputs(image[None], [0.0])[1]) == 5


def test_vocabulary_is_exactly_what_a_question_may_use():
    "Every word `vocabulary` lists passes `check_question`; every other entry of the tiny tokenizer (template words, digits, special tokens) is refused."
    import json
    from video2lora.tiny import load_tiny
    from video2lora.pipeline import vocabulary, check_question, QuestionError
    tok = load_tiny()[1]
    words = vocabulary(tok)
    assert {'what', 'colour', 'circle', 'twelve', '?'} <= set(words)
    assert not {'Assistant', 'User', 'Internalize', 'MM', 'SS', 'H', 'Frame', ':', '00', '7', '99', '<unk>'} & set(words)
    for w in words: check_question(tok, f"what {w}")
    everything = json.loads(tok.backend_tokenizer.to_str())['model']['vocab']
    for w in set(everything) - set(words):
        with pytest.raises(QuestionError) as e: check_question(tok, f"what {w}")
        assert '\n' not in str(e.value)


def test_control_tokens_of_both_tokenizers_are_refused():
    "The tiny tokenizer's and SmolVLM2's special tokens (tile markers included), and the turn markers, are refused by name."
    from video2lora.tiny import load_tiny, TINY_SPECIAL_TOKENS
    from video2lora.vlm import SMOLVLM2_SPECIAL_TOKENS
    from video2lora.pipeline import check_question, QuestionError
    for tok, specials in [(load_tiny()[1], TINY_SPECIAL_TOKENS), (word_tokenizer('what colour is the circle ?'.split()), SMOLVLM2_SPECIAL_TOKENS)]:
        for t in [*specials, 'User:', 'Assistant :']:
            with pytest.raises(QuestionError, match="control token"): check_question(tok, f"what colour is the circle? {t}")
