"""Oracle for `slapos buildout resolve`: load a configuration with the real
zc.buildout 2.13 (Debian's python3-zc.buildout) and print the same JSON.

Run only to regenerate the corpus (test/plugins/buildout/oracle/regenerate),
offline: unshare -n sh -c 'ip link set lo up; python3 driver.py FILE'.

No recipe egg is needed: Options.initialize (which loads the recipe's entry
point and calls its constructor) is replaced by a function that only parses
the recipe string as zc.buildout does. Everything else -- loading, extends,
macros, substitution, the [buildout] initialisation and the order in which
sections with a recipe join the parts list -- is the real code. The part
list is computed exactly as Buildout.install does it (read `parts`, read
each part's `recipe`), then every other section is evaluated in name order,
as `resolve` must report an error anywhere.
"""
import collections
import collections.abc
import json
import os
import sys

collections.MutableMapping = collections.abc.MutableMapping  # 2.13 on Python 3.11

import zc.buildout
import zc.buildout.buildout as bo
import zc.buildout.configparser as cp


class ConditionalExpressionError(zc.buildout.UserError):
    pass


_eval = eval


def guarded_eval(expr, context):
    try:
        result = _eval(expr, context)
    except Exception as e:  # any failure inside a section condition
        raise ConditionalExpressionError('%s: %s' % (type(e).__name__, e))
    if not result:  # "[   ]": configparser's [0] would raise IndexError
        raise ConditionalExpressionError('IndexError: list index out of range')
    return result


cp.eval = guarded_eval  # configparser.parse looks eval up in its globals first


def initialize(self):
    bo._recipe(self._data)  # same parsing (and ValueError) as the real one
    self.recipe = None


bo.Options.initialize = initialize

FILE_SOURCES = ('DEFAULT_VALUE', 'COMPUTED_VALUE', 'COMMAND_LINE_VALUE', 'IMPLICIT_VALUE', '')

MESSAGES = [
    ('Circular reference', 'CircularReference'),
    ('The substitution,', 'SubstitutionSyntax'),
    ('The section name in substitution', 'SubstitutionSyntax'),
    ('The option name in substitution', 'SubstitutionSyntax'),
    ('Infinite extending loop', 'MacroLoop'),
    ('No section named', 'MacroMissingSection'),
    ('Recursive file include', 'RecursiveExtends'),
    ('Invalid value for', 'InvalidBooleanOption'),
    ('No-longer supported "extended-by"', 'ExtendedByUnsupported'),
    ("Couldn't open", 'ExtendsNotFound'),
    ("Couldn't download", 'ExtendsNotFound'),
    ('Error downloading extends', 'ExtendsNotFound'),
]


def classify(e):
    if isinstance(e, bo.MissingSection):
        return 'MissingSection'
    if isinstance(e, bo.MissingOption):
        return 'MissingOption'
    if isinstance(e, cp.MissingSectionHeaderError):
        return 'MissingSectionHeader'
    if isinstance(e, cp.ParsingError):
        return 'ParsingError'
    if isinstance(e, ConditionalExpressionError):
        return 'ConditionalExpressionError'
    if isinstance(e, zc.buildout.UserError):
        text = str(e)
        for start, name in MESSAGES:
            if start in text:
                return name
        return 'UserError'
    if isinstance(e, OSError):
        return 'ExtendsNotFound'
    if isinstance(e, KeyError):  # data[versions] of an undefined versions section
        return 'MissingSection'
    return type(e).__name__


def set_by_file(sectionkey):
    return any(item.source not in FILE_SOURCES for item in sectionkey.history)


def resolve(path):
    b = bo.Buildout(path, [], user_defaults=False, command='install')
    parts = b['buildout']['parts']
    [b[part]['recipe'] for part in (parts and parts.split() or [])]
    order = list(b._parts)
    versions = b._annotated['buildout']['versions'].value
    sections = {}
    for name in sorted(b._raw):
        section = b[name]
        annotated = b._annotated.get(name) if name in ('buildout', versions) else None
        out = {}
        for key in sorted(section.keys()):
            value = section.get(key)
            if annotated is not None and not (key in annotated and set_by_file(annotated[key])):
                continue
            out[key] = value
        sections[name] = out
    return {'sections': sections, 'install_order': order}


def answer(path):
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # buildout logs on stdout
    try:
        return resolve(path), 0
    except Exception as e:
        return {'error': classify(e), 'message': str(e)}, 1
    finally:
        sys.stdout = real_stdout


def main():
    if sys.argv[1] == '--batch':  # one path per stdin line, one JSON per stdout line
        for line in sys.stdin:
            os.chdir(os.path.dirname(line.strip()))
            result, _ = answer(line.strip())
            sys.stdout.write(json.dumps(result, sort_keys=True, ensure_ascii=False) + '\n')
            sys.stdout.flush()
        return
    result, code = answer(sys.argv[1])
    json.dump(result, sys.stdout, sort_keys=True, indent=1, ensure_ascii=False)
    sys.stdout.write('\n')
    sys.exit(code)


if __name__ == '__main__':
    main()
