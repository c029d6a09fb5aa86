"""Regenerate expected.json of every corpus case (or of the named ones) with
the real zc.buildout, through driver.py. Needs Debian's python3-zc.buildout;
run offline, from the repository root:

  unshare -n sh -c 'ip link set lo up; /usr/bin/python3 test/plugins/buildout/oracle/regenerate.py [CASE...]'

Each case folder holds input files (the main one is buildout.cfg) and gets
expected.json. Placeholders in input files: @@DIR@@ is the case folder's
absolute path, @@HTTP@@ the URL of an HTTP server on loopback serving that
folder. Both are put back as placeholders in expected.json.
"""
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, '..', 'corpus')
DRIVER = os.path.join(HERE, 'driver.py')


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def substitute(folder, mapping):
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, 'rb') as f:
                data = f.read()
            new = data
            for key, value in mapping.items():
                new = new.replace(key.encode(), value.encode())
            if new != data:
                with open(path, 'wb') as f:
                    f.write(new)


def regenerate(case):
    source = os.path.join(CORPUS, case)
    tmp = tempfile.mkdtemp(prefix='corpus-')
    folder = os.path.join(tmp, case)
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns('expected.json'))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = 'http://127.0.0.1:%d' % server.server_address[1]
    try:
        substitute(folder, {'@@DIR@@': folder, '@@HTTP@@': url})
        run = subprocess.run([sys.executable, DRIVER, os.path.join(folder, 'buildout.cfg')],
                             cwd=folder, capture_output=True, text=True)
        if run.returncode not in (0, 1) or not run.stdout.strip():
            raise SystemExit('%s: driver failed:\n%s' % (case, run.stderr))
        out = run.stdout.replace(folder, '@@DIR@@').replace(url, '@@HTTP@@')
        with open(os.path.join(source, 'expected.json'), 'w') as f:
            f.write(out)
        return out
    finally:
        server.shutdown()
        shutil.rmtree(tmp)


def main():
    cases = sys.argv[1:] or sorted(os.listdir(CORPUS))
    for case in cases:
        out = regenerate(case)
        status = out.split('"error": ')[1].split(',')[0] if '"error": ' in out else 'ok'
        print('%-50s %s' % (case, status))


if __name__ == '__main__':
    main()
