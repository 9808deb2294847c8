"""Run many `video2lora` command lines in one process, each as the console script would run it, and report what each did.

    python tests/fuzz_runner.py CASES.json RESULTS.json [WATCHED_FOLDER]

CASES.json is a list of {"id", "argv", "stdin" (latin-1 text of the bytes, or null), "timeout"}. For each case the runner
calls `video2lora.cli.main(argv)` with file descriptors 0, 1 and 2 redirected (so native libraries' output is caught too),
an alarm as the time limit, and records the exit status, stdout, stderr, seconds, whether it hung, and the traceback of
any exception that escaped `main` (which the console script would have shown the user), and the paths under
WATCHED_FOLDER that the case added, removed or changed. Starting Python, torch and the
tiny model once for all cases is what makes hundreds of cases affordable; `tests/test_cli_bad_input.py` still runs the
table's cases through the real console script.
"""
import io, json, os, signal, sys, tempfile, time, traceback


class Hang(BaseException):
    "The time limit of a case passed (a BaseException, so that no `except Exception` swallows it)."


def _alarm(signum, frame): raise Hang()


def snapshot(folder) -> dict:
    "Every path under `folder` (links not followed) with its type, size, modification time and link target."
    out = {}
    for root, dirs, files in os.walk(folder):
        for n in dirs + files:
            p = os.path.join(root, n); st = os.lstat(p)
            out[os.path.relpath(p, folder)] = (st.st_mode, st.st_size, st.st_mtime_ns, os.readlink(p) if os.path.islink(p) else None)
    return out


def changed(before:dict, after:dict) -> list:
    "Paths added, removed or modified between two snapshots."
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def run(case:dict) -> dict:
    from video2lora.cli import main
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        if case.get('stdin') is not None: inp.write(case['stdin'].encode('latin-1')); inp.seek(0)
        sys.stdout.flush(); sys.stderr.flush()
        saved = [os.dup(0), os.dup(1), os.dup(2)]
        os.dup2(inp.fileno(), 0); os.dup2(out.fileno(), 1); os.dup2(err.fileno(), 2)
        old_stdin, sys.stdin = sys.stdin, io.TextIOWrapper(io.FileIO(0, closefd=False), encoding='utf-8', errors='surrogateescape')
        code, hung, escaped = None, False, None
        signal.signal(signal.SIGALRM, _alarm); signal.alarm(int(case.get('timeout', 60)))
        t0 = time.time()
        try: code = main(case['argv'])
        except SystemExit as e: code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Hang: hung = True
        except BaseException: escaped = traceback.format_exc()
        finally:
            signal.alarm(0)
            secs = time.time() - t0
            sys.stdout.flush(); sys.stderr.flush()
            sys.stdin = old_stdin
            for fd, s in zip((0, 1, 2), saved): os.dup2(s, fd); os.close(s)
        out.seek(0); err.seek(0)
        return dict(id=case['id'], code=code, hung=hung, escaped=escaped, seconds=secs,
                    stdout=out.read().decode('utf-8', 'replace'), stderr=err.read().decode('utf-8', 'replace'))


def run_in_one_process(cases:list, watched, cwd, memory_gb:int=8, timeout:int=1800) -> list:
    "Run `cases` with this runner in a fresh Python process (one start of torch and the tiny model for them all): its results, in order."
    import subprocess
    with tempfile.TemporaryDirectory() as tmp:
        cf, rf = os.path.join(tmp, 'cases.json'), os.path.join(tmp, 'results.json')
        with open(cf, 'w') as f: f.write(json.dumps(cases))
        subprocess.run([sys.executable, os.path.abspath(__file__), cf, rf, str(watched)], check=True, timeout=timeout, cwd=cwd,
                       env={**os.environ, 'FUZZ_MEMORY_LIMIT_GB': str(memory_gb)})
        with open(rf) as f: return json.loads(f.read())

if __name__ == '__main__':
    import resource
    cases = json.loads(open(sys.argv[1]).read())
    limit = int(os.environ.get('FUZZ_MEMORY_LIMIT_GB', 8)) << 30     # a case that allocates beyond this fails with MemoryError, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault('TQDM_DISABLE', '0')
    watch = sys.argv[3] if len(sys.argv) > 3 else None
    results, before = [], snapshot(watch) if watch else {}
    for c in cases:
        if c.get('cwd'): os.chdir(c['cwd'])
        r = run(c)
        if watch:
            after = snapshot(watch); r['changed'] = changed(before, after); before = after
        results.append(r)
        with open(sys.argv[2] + '.progress', 'a') as f: f.write(json.dumps({k: r[k] for k in ('id', 'code', 'seconds')}) + '\n')
    open(sys.argv[2], 'w').write(json.dumps(results, indent=1))
