# Test fixture written for the slapos TypeScript node's tests: a small
# GenericPromise with the behaviour promise plugins rely on (configuration,
# periodicity, test/anomaly switches, a log file in the reference's line
# format, results sent to config['queue'], bang through self.__bang).
# It is not slapos.core's code.
import datetime
import os
import random
import time


class _Result(object):
  kind = 'Base Result'

  def __init__(self, problem=False, message=None):
    if message is not None and len(message) > 5000:
      message = '...' + message[-5000:]
    self._problem = problem
    self.message = message
    self.date = datetime.datetime.utcnow()

  def hasFailed(self):
    return self._problem

  def type(self):
    return self.kind


class TestResult(_Result):
  kind = 'Test Result'


class AnomalyResult(_Result):
  kind = 'Anomaly Result'


class EmptyResult(_Result):
  kind = 'Empty Result'


class QueueItem(object):
  def __init__(self, item, name=None, title=None, path=None):
    self.item = item
    self.name = name
    self.title = title
    self.path = path


class _Logger(object):
  def __init__(self, path, transaction):
    self.path = path
    self.transaction = transaction
    self.records = []

  def _log(self, level, message, *args):
    if args:
      message = message % args
    self.records.append((level, message))
    if self.path:
      stamp = time.strftime('%Y-%m-%d %H:%M:%S')
      with open(self.path, 'a') as f:
        f.write('%s - %s - %s - %s\n' % (stamp, level, self.transaction, message))

  def info(self, message, *args):
    self._log('INFO', message, *args)

  def warning(self, message, *args):
    self._log('WARNING', message, *args)

  def error(self, message, *args):
    self._log('ERROR', message, *args)


class GenericPromise(object):
  def __init__(self, config):
    self.__config = config
    self.__name = config.pop('name')
    self.__path = config.pop('path')
    self.__queue = config.pop('queue')
    self.__log_folder = config.pop('log-folder', None)
    config.pop('partition-folder', None)
    config.pop('debug', None)
    self.__title = os.path.splitext(self.__name)[0]
    self.__periodicity = 2
    self.setPeriodicity(config.pop('periodicity', 2))
    bang_on_failure = config.pop('bang-on-failure', None)
    self.__allow_bang = bang_on_failure not in ('false', 'False', '0', False)
    self.__is_tested = True
    self.__is_anomaly_detected = True
    log_file = None
    if self.__log_folder:
      log_file = os.path.join(self.__log_folder, '%s.log' % self.__title)
    transaction = '%s-%s' % (int(time.time()), random.randint(100, 999))
    self.logger = _Logger(log_file, transaction)

  def getConfig(self, key, default=None):
    return self.__config.get(key, default)

  def getTitle(self):
    return self.__title

  def setPeriodicity(self, minute):
    if minute <= 0:
      raise ValueError('Cannot set promise periodicity to a value less than 1')
    self.__periodicity = minute

  def getPeriodicity(self):
    return self.__periodicity

  def setTestLess(self):
    self.__is_tested = False

  def isTested(self):
    return self.__is_tested

  def setAnomalyLess(self):
    self.__is_anomaly_detected = False

  def isAnomalyDetected(self):
    return self.__is_anomaly_detected

  def __bang(self, message):
    raise RuntimeError('the fixture never talks to a master')

  def _verdict(self, kind):
    records = self.logger.records
    if not records:
      return kind(problem=False, message='No result found!')
    failed = any(level == 'ERROR' for level, _ in records)
    return kind(problem=failed, message='\n'.join(m for _, m in records).strip())

  def test(self):
    return self._verdict(TestResult)

  def anomaly(self):
    return self._verdict(AnomalyResult)

  def sense(self):
    raise NotImplementedError

  def _send(self, item):
    self.__queue.put_nowait(QueueItem(item, self.__name, self.__title, self.__path))

  def run(self, check_anomaly=False, can_bang=True):
    if not self.__is_tested and not self.__is_anomaly_detected:
      message = "It's not allowed to disable both Test and Anomaly in promise!"
      kind = AnomalyResult if check_anomaly else TestResult
      self._send(kind(problem=True, message=message))
      return
    if (check_anomaly and not self.__is_anomaly_detected) or (not check_anomaly and not self.__is_tested):
      self._send(EmptyResult())
      return
    try:
      self.sense()
    except Exception as e:
      self.logger.error(str(e))
    if check_anomaly:
      result = self.anomaly()
      if result.hasFailed() and can_bang:
        self.__bang('Promise %s is failing' % self.__title)
    else:
      result = self.test()
    self._send(result)
