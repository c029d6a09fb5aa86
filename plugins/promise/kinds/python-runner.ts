/**
 * The small Python program that runs ONE promise plugin with the software
 * release's own Python: it imports the plugin (whose `sys.path[0:0] = [...]`
 * line brings in the release's own slapos.core), checks that `RunPromise` is
 * a GenericPromise, builds its configuration as the reference launcher does,
 * runs it in the requested mode, and reports on the file descriptor given by
 * `--result-fd`, one JSON object a line:
 *
 *     {"meta": {"periodicity": 2, "periodicity_is_float": false, "is_tested": true,
 *               "is_anomaly_detected": true, "module_file": "/…/check_x.py"}}
 *     {"bang": "Promise check_x is failing"}      (the plugin asked to bang)
 *     {"result": {"type": "Test Result", "failed": false, "date": "…", "message": "…"}}
 *     {"result": null}                            (Empty Result: this mode is disabled)
 *     {"error": "Traceback …"}                    (the plugin could not be loaded or run)
 *
 * Bangs are not sent from Python: the plugin's `__bang` is replaced so that
 * the node sends at most one per run through its own master client.
 * It is our own program (equivalent to slapos.core's runpromises.py plus
 * PromiseProcess.run), valid Python 2.7 and 3. It is kept here as text,
 * bundled into the binary, and written to a private temporary folder when
 * promises run.
 */
export const PYTHON_RUNNER = String.raw`# Runs one SlapOS promise plugin; written by the slapos node at run time.
from __future__ import print_function

import argparse
import fcntl
import importlib
import inspect
import json
import os
import re
import sys
import traceback

parser = argparse.ArgumentParser()
parser.add_argument('--promise-path', required=True)
parser.add_argument('--partition-folder', required=True)
parser.add_argument('--log-folder', default=None)
parser.add_argument('--promise-timeout', type=int, default=20)
parser.add_argument('--check-anomaly', action='store_true')
parser.add_argument('--master-url', default=None)
parser.add_argument('--partition-cert', default=None)
parser.add_argument('--partition-key', default=None)
parser.add_argument('--partition-id', default=None)
parser.add_argument('--computer-id', default=None)
parser.add_argument('--slapgrid-version', default=None)
parser.add_argument('--result-fd', type=int, required=True)
args = parser.parse_args()

# Promises must not inherit the report channel.
flags = fcntl.fcntl(args.result_fd, fcntl.F_GETFD)
fcntl.fcntl(args.result_fd, fcntl.F_SETFD, flags | fcntl.FD_CLOEXEC)
channel = os.fdopen(args.result_fd, 'w')


def emit(message):
  channel.write(json.dumps(message) + '\n')
  channel.flush()


class ResultQueue(object):
  """What GenericPromise expects in config['queue']."""

  def __init__(self):
    self.items = []

  def put_nowait(self, item):
    self.items.append(item)

  put = put_nowait


RESERVED = ('path', 'name', 'log-folder', 'partition-folder', 'debug',
            'promise-timeout', 'master-url', 'partition-cert', 'partition-key',
            'partition-id', 'computer-id', 'queue', 'slapgrid-version')


def load_module(path):
  folder = os.path.dirname(path)
  name = os.path.basename(path)
  init_file = os.path.join(folder, '__init__.py')
  if not os.path.exists(init_file):
    with open(init_file, 'w') as f:
      f.write('')
    os.chmod(init_file, 0o644)
  if sys.path[0] != folder:
    sys.path[0:0] = [folder]
  if re.match(r'[a-zA-Z_]', name) is None:
    raise ValueError('Promise plugin name %r is not valid' % name)
  module = importlib.import_module(os.path.splitext(name)[0])
  if not hasattr(module, 'RunPromise'):
    raise AttributeError('Class RunPromise not found in promise%s' % name)
  try:
    from slapos.grid.promise import interface
  except ImportError:
    interface = None
  if interface is not None and hasattr(interface, 'IPromise') and \
      not interface.IPromise.implementedBy(module.RunPromise):
    raise RuntimeError("RunPromise class in %s must implement 'IPromise'"
                       " interface. @implementer(interface.IPromise) is missing ?" % name)
  from slapos.grid.promise.generic import GenericPromise
  if not issubclass(module.RunPromise, GenericPromise):
    raise RuntimeError('RunPromise class is not a subclass of GenericPromise class.')
  return module


def main():
  path = args.promise_path
  module = load_module(path)
  queue = ResultQueue()
  config = {
    'path': path,
    'name': os.path.basename(path),
    'log-folder': args.log_folder,
    'partition-folder': args.partition_folder,
    'debug': False,
    'promise-timeout': args.promise_timeout,
    'master-url': args.master_url,
    'partition-cert': args.partition_cert,
    'partition-key': args.partition_key,
    'partition-id': args.partition_id,
    'computer-id': args.computer_id,
    'queue': queue,
    'slapgrid-version': args.slapgrid_version,
  }
  extra = getattr(module, 'extra_config_dict', None)
  if extra is not None:
    if not isinstance(extra, dict):
      raise ValueError('Extra parameter is not a dict')
    for key in extra:
      if key in RESERVED:
        raise ValueError('Extra parameter name %r cannot be used.\n%s' % (key, extra))
      config[key] = extra[key]

  promise = module.RunPromise(config)
  periodicity = promise.getPeriodicity()
  emit({'meta': {
    'periodicity': periodicity,
    'periodicity_is_float': isinstance(periodicity, float),
    'is_tested': not hasattr(promise, 'isTested') or bool(promise.isTested()),
    'is_anomaly_detected': not hasattr(promise, 'isAnomalyDetected') or bool(promise.isAnomalyDetected()),
    'module_file': '%s.py' % os.path.splitext(inspect.getfile(module.RunPromise))[0],
  }})

  def bang(message):
    if getattr(promise, '_GenericPromise__allow_bang', True):
      emit({'bang': message})

  promise._GenericPromise__bang = bang
  promise.run(args.check_anomaly, True)

  if not queue.items:
    raise RuntimeError('The promise sent no result')
  item = queue.items[-1].item
  if item.type() == 'Empty Result':
    emit({'result': None})
    return
  message = item.message
  if message is not None and not isinstance(message, str):
    message = message.decode('utf-8', 'replace') if isinstance(message, bytes) else u'%s' % (message,)
  emit({'result': {
    'type': item.type(),
    'failed': bool(item.hasFailed()),
    'date': item.date.strftime('%Y-%m-%dT%H:%M:%S+0000'),
    'message': message,
  }})


try:
  main()
except Exception:
  emit({'error': traceback.format_exc()})
  sys.exit(1)
`;
