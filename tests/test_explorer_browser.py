"""The adapter explorer in a real browser: the tutorial `nbs/tutorials/02_explore_an_adapter.ipynb` served by Voila,
opened in headless Chromium (selenium), the scale slider dragged to 0, the changed answer read back and checked
against the explorer driven from Python. Screenshots go to $V2L_SCREENSHOT_DIR (CI: _screenshots/) or a temp folder.
Skipped, saying why, where Chromium, its driver, Voila or selenium is missing."""
import importlib.util, os, shutil, socket, subprocess, sys, time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT/'nbs'/'tutorials'/'02_explore_an_adapter.ipynb'
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
DRIVER = shutil.which('chromedriver')
VOILA = Path(sys.executable).parent/'voila'
MISSING = [name for name, ok in (('chromium', CHROMIUM), ('chromedriver (apt-get install chromium-driver)', DRIVER),
                                 ('voila', VOILA.exists()), ('selenium', importlib.util.find_spec('selenium'))) if not ok]


def free_port() -> int:
    s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
    return port


@pytest.fixture
def served():
    "The tutorial served by Voila on a loopback port; yields its URL."
    port, log = free_port(), open(ROOT/'.voila-test.log.tmp', 'w')
    proc = subprocess.Popen([str(VOILA), str(TUTORIAL), '--no-browser', f'--port={port}', '--Voila.ip=127.0.0.1'],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT/'nbs'/'tutorials', env=dict(os.environ, MPLBACKEND='module://matplotlib_inline.backend_inline'))
    try:
        for _ in range(120):
            if proc.poll() is not None:
                log.flush(); pytest.fail(f"voila exited {proc.returncode}: {(ROOT/'.voila-test.log.tmp').read_text()[-2000:]}")
            try: socket.create_connection(('127.0.0.1', port), 1).close(); break
            except OSError: time.sleep(0.5)
        yield f'http://127.0.0.1:{port}/'
    finally:
        proc.terminate()
        try: proc.wait(30)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()
        (ROOT/'.voila-test.log.tmp').unlink(missing_ok=True)


def expected_answers():
    "The answers the widget should show, from the explorer driven in this process (the tutorial's clip 4, its first question)."
    import torch
    from video2lora.explore import AdapterExplorer
    torch.set_num_threads(2)                                             # as the tutorial's kernel
    ex = AdapterExplorer(); ex.add_clip(4)
    q = ex.item.qa[0]['question']
    shown = lambda a: a or '(empty)'                                     # how the widget shows an empty answer
    before = shown(ex.ask_adapter(q)['answer'])
    ex.set(scale=0.0)
    return before, shown(ex.ask_adapter(q)['answer'])


@pytest.mark.skipif(bool(MISSING), reason=f"no browser check without {', '.join(MISSING)}")
def test_explorer_in_a_browser(served, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait
    shots = Path(os.environ.get('V2L_SCREENSHOT_DIR', tmp_path)); shots.mkdir(parents=True, exist_ok=True)
    want_before, want_after = expected_answers()
    opts = webdriver.ChromeOptions(); opts.binary_location = CHROMIUM; opts.page_load_strategy = 'none'
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--window-size=1400,1800'): opts.add_argument(a)
    d = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        d.get(served)
        text = lambda: d.find_element(By.CSS_SELECTOR, '.v2l-adapter-text').text
        WebDriverWait(d, 600).until(lambda d: d.find_elements(By.CSS_SELECTOR, '.v2l-adapter-text'))  # the whole tutorial runs first
        assert text() == want_before
        handle = d.find_element(By.CSS_SELECTOR, '.v2l-scale .noUi-handle')
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", handle)
        d.find_element(By.CSS_SELECTOR, '.v2l-explorer').screenshot(str(shots/'explorer_before.png'))
        track = d.find_element(By.CSS_SELECTOR, '.v2l-scale .noUi-target')
        ActionChains(d).click_and_hold(handle).move_by_offset(track.location['x'] - handle.location['x'] - 10, 0).release().perform()
        WebDriverWait(d, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, '.v2l-scale .widget-readout').text == '0.00')
        WebDriverWait(d, 60).until(lambda d: text() == want_after)          # the frozen model's answer
        time.sleep(3)                                                       # the adapter's figure is redrawn after the answer
        d.find_element(By.CSS_SELECTOR, '.v2l-explorer').screenshot(str(shots/'explorer_after.png'))
    finally:
        d.quit()
    assert (shots/'explorer_after.png').stat().st_size > 10_000
