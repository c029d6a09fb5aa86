/**
 * Template snippets rendered by both the native engine and Python Jinja2
 * (differential test). Each exercises something SlapOS instance templates
 * use; the context is JSON text (parsed with float-preserving rules on both
 * sides).
 */
export interface Case {
  name: string;
  template: string;
  context?: string;
  templates?: Record<string, string>;
  imports?: Record<string, string>;
}

const P = JSON.stringify({
  slapparameter_dict: { "frontend-name": "web", port: "8080", "use-ipv6": "true", nested: { a: [1, 2, { b: null }] }, ratio: 0.25, empty: {} },
  ipv4: ["10.0.0.2", "10.0.0.1"],
  name: "slappart3",
  n: 7,
  f: 2.5,
  big: 12345678901,
  flag: false,
  items: [{ name: "b", port: 2, on: true }, { name: "a", port: 1, on: false }, { name: "c", port: 3, on: true }],
  text: "Hello World\nsecond line\n",
  unicode: "été ☃ \u0001",
});

export const CASES: Case[] = [
  // Output of Python values.
  { name: "print none, bools, ints, floats", template: "{{ None }} {{ True }} {{ false }} {{ 3 }} {{ 2.5 }} {{ 1.0 }} {{ 1e20 }} {{ 1e-5 }} {{ 0.1 + 0.2 }} {{ -0.0 }}" },
  { name: "print containers", template: "{{ [1, 'a', None, 2.0] }} {{ (1,) }} {{ () }} {{ {'a': 1, 'b': [True]} }} {{ {} }}", context: P },
  { name: "print string repr quoting", template: `{{ ["it's", 'say "hi"', 'both \\' "', 'tab\\tnl\\n', '\\\\'] }}` },
  { name: "print unicode repr", template: "{{ [unicode] }} {{ unicode }}", context: P },
  { name: "repr builtin", template: "{{ repr('a') }} {{ repr(name) }} {{ repr(1.5) }} {{ repr(slapparameter_dict['nested']) }}", context: P },
  { name: "large int", template: "{{ big }} {{ big * 10 }}", context: P },
  // Arithmetic.
  { name: "arithmetic", template: "{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2.5 * 2 }} {{ n - f }}", context: P },
  { name: "string arithmetic", template: "{{ 'a' + 'b' }} {{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'x' ~ 1 ~ None }}" },
  { name: "bool arithmetic", template: "{{ True + 1 }} {{ False * 3 }}" },
  { name: "percent formatting", template: "{{ '%s:%s' % ('a', 1) }} {{ '%d' % 3.9 }} {{ '%05.2f' % 3.14159 }} {{ '%x %X %o' % (255, 255, 8) }} {{ '%r' % 'q' }} {{ '%-5s|' % 'ab' }} {{ '%5s|' % 'ab' }} {{ '%(a)s-%(b)d' % {'a': 'x', 'b': 2} }} {{ '%%' % () }} {{ '%.3s' % 'abcdef' }} {{ '%+d' % 5 }} {{ '%e' % 12345.678 }} {{ '%g %g %g' % (0.0001, 123456789, 1.5) }}" },
  { name: "percent single value", template: "{{ 'port %s' % port }} {{ '[%s]' % ipv4 }}", context: JSON.stringify({ port: 80, ipv4: ["a"] }) },
  { name: "str.format", template: "{{ '{}-{}'.format(1, 'a') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{name}:{port}'.format(name='h', port=80) }} {{ '{:>5}|{:<5}|{:^5}|'.format('a', 'b', 'c') }} {{ '{:05d} {:.2f} {:x} {:,}'.format(42, 3.14159, 255, 1234567) }} {{ '{{}}'.format() }} {{ '{0[a]}'.format({'a': 1}) }}" },
  // Truthiness and logic.
  { name: "python truthiness", template: "{% for v in [0, 1, '', 'a', [], [0], {}, {'a': 1}, None, 0.0, ()] %}{{ 'T' if v else 'F' }}{% endfor %}" },
  { name: "and or return values", template: "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ [] or {} }} {{ not [] }}" },
  { name: "comparisons", template: "{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ (1, 2) == (1, 2) }} {{ [1] == (1,) }} {{ None == None }} {{ 1 != 2 }} {{ True == 1 }}" },
  { name: "membership", template: "{{ 'a' in 'abc' }} {{ 1 in [1, 2] }} {{ 'port' in slapparameter_dict }} {{ 'zz' not in slapparameter_dict }} {{ '10.0.0.1' in ipv4 }}", context: P },
  { name: "conditional expression", template: "{{ 'yes' if flag else 'no' }} {{ 'a' if n > 5 else 'b' }}", context: P },
  // Attribute and item access.
  { name: "dict get with default", template: "{{ slapparameter_dict.get('port') }} {{ slapparameter_dict.get('missing', 'dflt') }} {{ slapparameter_dict.get('missing') }}", context: P },
  { name: "dict attribute and item access", template: "{{ slapparameter_dict.port }} {{ slapparameter_dict['frontend-name'] }} {{ slapparameter_dict.nested.a[2].b }}", context: P },
  { name: "dict methods", template: "{% set d = {'b': 1, 'a': 2} %}{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {% do d.update({'c': 3}) %}{{ d }} {{ d.pop('b') }} {{ d }} {{ d.setdefault('z', []) }} {{ d }} {% do d.update(x=1) %}{{ d }}" },
  { name: "list methods", template: "{% set l = [3, 1] %}{% do l.append(2) %}{% do l.extend([5, 4]) %}{% do l.insert(0, 9) %}{{ l }} {{ l.pop() }} {{ l.index(1) }} {{ l.count(3) }} {% do l.sort() %}{{ l }} {% do l.reverse() %}{{ l }} {% do l.remove(9) %}{{ l }}" },
  { name: "string methods", template: "{{ ' a b '.strip() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b  c '.split() }}|{{ 'a b c'.split(None, 1) }}|{{ 'a.b.c'.rsplit('.', 1) }}|{{ 'Hello'.lower() }}{{ 'Hello'.upper() }}|{{ 'abc'.startswith('a') }}{{ 'abc'.endswith(('x', 'c')) }}|{{ 'aXbX'.replace('X', '-') }}|{{ '-'.join(['a', 'b']) }}|{{ 'l1\\nl2\\r\\nl3'.splitlines() }}|{{ 'xxhixx'.strip('x') }}|{{ 'abc'.find('c') }}|{{ 'a=b=c'.partition('=') }}|{{ '42'.isdigit() }}|{{ '7'.zfill(3) }}|{{ 'hello world'.title() }}|{{ 'hello'.capitalize() }}" },
  { name: "slicing", template: "{{ 'abcdef'[1:3] }} {{ 'abcdef'[::-1] }} {{ [1, 2, 3, 4][1:] }} {{ [1, 2, 3, 4][:-1] }} {{ [1, 2, 3, 4][::2] }} {{ name[-1] }} {{ (1, 2, 3)[1:] }}", context: P },
  // Statements.
  { name: "for loop variables", template: "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.cycle('o', 'e') }};{% endfor %}" },
  { name: "for over dict and unpacking", template: "{% for k, v in slapparameter_dict | dictsort %}{{ k }}={{ v }};{% endfor %}{% for k in {'z': 1, 'y': 2} %}{{ k }}{% endfor %}", context: P },
  { name: "for else and filter", template: "{% for x in [] %}x{% else %}empty{% endfor %} {% for x in range(10) if x is odd %}{{ x }}{% endfor %}" },
  { name: "break and continue", template: "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x > 4 %}{% break %}{% endif %}{{ x }}{% endfor %}" },
  { name: "nested loops and loop.depth", template: "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}" },
  { name: "set scoping in loops", template: "{% set x = 1 %}{% for i in range(3) %}{{ x }}{% set x = 5 %}{{ x }}{% endfor %}|{{ x }}" },
  { name: "set in if leaks", template: "{% if True %}{% set y = 2 %}{% endif %}{{ y }}" },
  { name: "namespace", template: "{% set ns = namespace(count=0, items=[]) %}{% for i in range(4) %}{% set ns.count = ns.count + i %}{% do ns.items.append(i) %}{% endfor %}{{ ns.count }} {{ ns.items }}" },
  { name: "block set and filter", template: "{% set body %}  Hi {{ name }}  {% endset %}[{{ body }}]{% set up | upper %}abc{% endset %}{{ up }}", context: P },
  { name: "tuple unpacking set", template: "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = ['x', 'y'] %}{{ c }}{{ d }}" },
  { name: "if elif else", template: "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}" },
  { name: "macros with defaults varargs kwargs", template: "{% macro m(a, b='B', c=none) %}{{ a }}-{{ b }}-{{ c }}-{{ varargs }}-{{ kwargs }}{% endmacro %}{{ m(1) }} {{ m(1, c=3) }} {{ m(1, 2, 3, 4, z=5) }}" },
  { name: "macro sees template variables", template: "{% set prefix = 'p' %}{% macro m(x) %}{{ prefix }}{{ x }}{% endmacro %}{{ m(1) }}" },
  { name: "call block with caller", template: "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inside {{ 1 + 1 }}{% endcall %}{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}" },
  { name: "filter block", template: "{% filter upper %}abc {{ 'def' }}{% endfilter %}" },
  { name: "with block", template: "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}" },
  { name: "raw block", template: "{% raw %}{{ not rendered }} {% if %}{% endraw %}" },
  { name: "comments", template: "a{# comment {{ x }} #}b" },
  { name: "do extension", template: "{% set l = [] %}{% do l.append(1) %}{% do l.append(l | length) %}{{ l }}" },
  { name: "import with and without context", template: "{% import 'lib' as lib %}{{ lib.hello('x') }} {{ lib.value }}{% from 'lib' import hello as h %}{{ h('y') }}{% import 'ctx' as c with context %}{{ c.show() }}", context: P, templates: { lib: "{% set value = 42 %}{% macro hello(n) %}hello {{ n }}{% endmacro %}", ctx: "{% macro show() %}{{ name }}{% endmacro %}" } },
  { name: "include", template: "[{% include 'part' %}]", context: P, templates: { part: "part of {{ name }}" } },
  // Whitespace control.
  { name: "whitespace control", template: "a  \n  {%- if True -%}  \n  b  \n  {%- endif -%}  \n  c\n{{- ' d ' -}}\ne{# x -#}   f" },
  { name: "newlines kept by default", template: "line1\n{% if True %}\nline2\n{% endif %}\nline3\n" },
  { name: "trailing newline dropped", template: "x\n\n" },
  { name: "crlf normalised", template: "a\r\nb\rc" },
  // Tests.
  { name: "tests", template: "{{ x is defined }} {{ name is defined }} {{ None is none }} {{ 'a' is string }} {{ 1 is number }} {{ 1.5 is float }} {{ 1 is integer }} {{ {} is mapping }} {{ [] is sequence }} {{ [] is iterable }} {{ 4 is even }} {{ 3 is odd }} {{ 9 is divisibleby 3 }} {{ 'a' is lower }} {{ 1 is sameas 1 }} {{ len is callable }} {{ 2 is in [1, 2] }} {{ 1 is eq 1 }} {{ True is true }} {{ name is not none }}", context: P },
  // Filters.
  { name: "filters on strings", template: "{{ 'abc' | upper }} {{ 'ABC' | lower }} {{ ' x ' | trim }} {{ 'hello world' | title }} {{ 'hello' | capitalize }} {{ 'a-b' | replace('-', '_') }} {{ 'abc' | reverse }} {{ 'abc' | length }} {{ 'a b c' | wordcount }} {{ 'x' | center(5) }}|" },
  { name: "int and float filters", template: "{{ '42' | int }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ '0x1A' | int(0, 16) }} {{ '1.5' | float }} {{ 'x' | float }} {{ 2 | float }} {{ True | int }} {{ none | int }}" },
  { name: "string filter", template: "{{ 1 | string }} {{ None | string }} {{ [1, 'a'] | string }} {{ 2.0 | string }}" },
  { name: "join filter", template: "{{ [1, 2, 3] | join(',') }} {{ ipv4 | join }} {{ items | join(', ', attribute='name') }}", context: P },
  { name: "default filter", template: "{{ missing | default('d') }} {{ missing | d('d2') }} {{ '' | default('e', true) }} {{ none | default('n') }} {{ slapparameter_dict.missing | default(5) }}", context: P },
  { name: "dictsort filter", template: "{{ {'b': 1, 'A': 2, 'c': 0} | dictsort }} {{ {'b': 1, 'A': 2} | dictsort(true) }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }} {{ {'b': 1, 'a': 2} | dictsort(reverse=true) }}" },
  { name: "tojson filter", template: "{{ slapparameter_dict | tojson }} {{ '<a&b>\\'' | tojson }} {{ [1, 2.5, none, true] | tojson }} {{ {'b': 1, 'a': {'d': [], 'c': {}}} | tojson(indent=2) }} {{ unicode | tojson }}", context: P },
  { name: "list sort unique filters", template: "{{ 'cba' | list }} {{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }} {{ items | sort(attribute='port') | map(attribute='name') | list }} {{ [1, 2, 1, 'a', 'A'] | unique | list }}", context: P },
  { name: "map select reject filters", template: "{{ items | map(attribute='name') | join }} {{ ['1', '2'] | map('int') | sum }} {{ items | selectattr('on') | map(attribute='name') | list }} {{ items | rejectattr('on') | map(attribute='name') | list }} {{ items | selectattr('port', 'gt', 1) | list | length }} {{ range(6) | select('odd') | list }} {{ range(6) | reject('even') | list }} {{ ['a', '', 'b'] | select | list }}", context: P },
  { name: "first last min max sum length", template: "{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ [3, 1, 2] | sum }} {{ items | sum(attribute='port') }} {{ items | max(attribute='port') }} {{ [1, 2] | length }} {{ {'a': 1} | count }}", context: P },
  { name: "indent filter", template: "{{ text | indent }}|{{ text | indent(2, true) }}|{{ 'a\\n\\nb' | indent(2) }}|{{ 'a\\n\\nb' | indent(2, blank=true) }}|{{ 'x' | indent('>> ', first=true) }}", context: P },
  { name: "batch slice groupby", template: "{{ range(5) | batch(2) | list }} {{ range(5) | batch(2, 'x') | list }} {{ range(5) | slice(2) | list }} {% for g, l in items | groupby('on') %}{{ g }}:{{ l | map(attribute='name') | join }};{% endfor %}", context: P },
  { name: "round abs", template: "{{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.7 | round(0, 'floor') }} {{ 2.1 | round(0, 'ceil') }} {{ -3 | abs }} {{ -2.5 | abs }} {{ 5 | round }}" },
  { name: "urlencode escape format", template: "{{ 'a b/c?d=é' | urlencode }} {{ {'k': 'a b', 'x': '&'} | urlencode }} {{ '<a href=\"x\">' | e }} {{ '%s-%s' | format(1, 2) }} {{ 'x' | safe }}" },
  { name: "items filter", template: "{{ {'a': 1, 'b': 2} | items | list }}" },
  { name: "pprint filter", template: "{{ {'b': [1, 2], 'a': 'x'} | pprint }}" },
  // Builtins from slapos.recipe.template's context.
  { name: "python builtins", template: "{{ len(ipv4) }} {{ str(5) }} {{ int('7') }} {{ float(1) }} {{ bool([]) }} {{ list('ab') }} {{ tuple([1]) }} {{ sorted(ipv4) }} {{ sorted([3, 1], reverse=True) }} {{ enumerate(['a', 'b']) | list }} {{ zip([1, 2], 'ab') | list }} {{ dict(a=1) }} {{ dict([('k', 'v')], z=0) }} {{ min(3, 1) }} {{ max([2, 9]) }} {{ sum([1, 2]) }} {{ abs(-1) }} {{ range(2, 8, 3) | list }} {{ isinstance(name, str) }} {{ isinstance(1, (list, int)) }} {{ set([1, 1]) | list }} {{ chr(65) }}{{ ord('a') }} {{ hex(255) }} {{ round(2.675, 2) }} {{ divmod(7, 2) }} {{ any([0, 1]) }} {{ all([]) }}", context: P },
  { name: "dict merge idiom", template: "{% set parameter_dict = dict(defaults, **slapparameter_dict) %}{{ parameter_dict | dictsort | map('first') | join(',') }}", context: JSON.stringify({ defaults: { port: "1", x: "y" }, slapparameter_dict: { port: "2" } }) },
  { name: "map builtin with lambda-free callables", template: "{{ map(str, [1, 2]) | list }} {{ list(map(int, ['3', '4'])) }} {{ filter(None, [0, 1, 2]) | list }}" },
  { name: "cycler joiner", template: "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }} {% set j = joiner('|') %}{% for x in range(3) %}{{ j() }}{{ x }}{% endfor %}" },
  // Modules from `import` context lines.
  { name: "string methods with Python's whitespace (\\x85, \\xa0, \\x1c; not the BOM)", template: "{{ [' \\x85\\xa0x\\x1c\\u3000'.strip(), '\\xa0y'.lstrip(), 'z\\x85'.rstrip(), 'a\\ufeffb c\\x1fd'.split(), 'a\\x85b c'.rsplit(None, 1), '\\x85\\u2028 '.isspace(), '\\ufeff'.isspace(), ''.isspace()] }}" },
  { name: "repr escapes non-printable characters", template: "{{ ['\\x85', '\\xa0', '\\u2028', '\\x7f', 'é', '\\U0001f600', '\\u200b'] }} {{ '%r' % '\\x00\\x1b' }}" },
  { name: "os.path normpath, abspath and join edge cases", template: "{{ os.path.normpath('//a//b/') }} {{ os.path.normpath('') }} {{ os.path.normpath('a/../..') }} {{ os.path.abspath('/x/./y/..') }} {{ os.path.join('a', '', 'b') }} {{ os.path.join('', 'x') }} {{ os.path.dirname('//') }} {{ os.path.split('a') }}", imports: { os: "os" } },
  { name: "range is a range object, not a list", template: "{{ range(3) }} {{ range(1, 10, 2) }} {{ range(3) | list }} {{ 2 in range(3) }} {{ range(5)[2] }} {{ range(3) | length }} {{ range(0) | list }} {% for i in range(2) %}{{ i }}{% endfor %} {{ range(3) | sum }} {{ range(2) == range(2) }}" },
  { name: "json module", template: "{{ json_module.dumps(slapparameter_dict) }} {{ json_module.dumps(slapparameter_dict, sort_keys=True, indent=2) }} {{ json_module.loads('{\"a\": [1.0, 2]}') }} {{ json_module.dumps('é') }} {{ json_module.dumps([1], separators=(',', ':')) }}", context: P, imports: { json_module: "json" } },
  { name: "os.path module", template: "{{ os.path.join('/a', 'b', 'c') }} {{ os.path.join('/a/', '/b') }} {{ os.path.basename('/x/y.cfg') }} {{ os.path.dirname('/x/y.cfg') }} {{ os.path.splitext('a/b.tar.gz') }} {{ os.path.split('/a/b') }} {{ os.path.normpath('/a//b/../c/') }}", imports: { os: "os" } },
  { name: "hashlib and base64", template: "{{ hashlib.md5(name.encode()).hexdigest() }} {{ hashlib.sha256(b'x' if false else 'x'.encode()).hexdigest()[:8] }} {{ base64.b64encode(name.encode()) }} {{ base64.b64encode(name.encode()).decode() }}", context: P, imports: { hashlib: "hashlib", base64: "base64" } },
  { name: "urllib parse", template: "{% set u = up.urlparse('https://user:pw@[2001:db8::1]:8443/p/a;x?q=1#f') %}{{ u.scheme }} {{ u.netloc }} {{ u.hostname }} {{ u.port }} {{ u.path }} {{ u.params }} {{ u.query }} {{ u.fragment }} {{ u.username }} {{ u.password }} {{ up.urlsplit('http://h/p?q').geturl() }} {{ up.quote('a b/é') }} {{ up.urlencode({'a': 'x y', 'b': 1}) }} {{ up.urljoin('http://h/a/b', '../c') }}", imports: { up: "urllib.parse" } },
  { name: "re module", template: "{{ re.sub('[^a-z]', '-', 'Ab1c') }} {{ re.match('(?P<k>\\\\w+)=(\\\\d+)', 'port=80').group('k') }} {{ re.match('(\\\\w+)=(\\\\d+)', 'port=80').groups() }} {{ re.findall('\\\\d+', 'a1b22') }} {{ re.search('b', 'abc') is not none }} {{ re.match('b', 'abc') is none }} {{ re.escape('a.b') }} {{ re.compile('x+').sub('y', 'axxbx') }} {{ re.split(',\\\\s*', 'a, b,c') }} {{ re.sub('(a)(b)', '\\\\2\\\\1', 'abab') }}", imports: { re: "re" } },
  { name: "functools operator itertools six", template: "{% set add1 = functools.partial(operator.add, 1) %}{{ add1(2) }} {{ items | sort(attribute='name') | map(attribute='port') | list }} {% set c = itertools.count(5) %}{{ next(c) }}{{ next(c) }} {{ itertools.chain([1], [2]) | list }} {% for k, v in six.iteritems({'a': 1}) %}{{ k }}{{ v }}{% endfor %}", context: P, imports: { functools: "functools", operator: "operator", itertools: "itertools", six: "six" } },
  // SlapOS idioms.
  { name: "slapos instance section", template: "[instance-{{ name }}]\nrecipe = slapos.cookbook:wrapper\ncommand-line = {{ '${buildout:bin}' }}/run --port {{ slapparameter_dict.get('port', '80') }}\n{% for ip in ipv4 | sort -%}\nip-{{ loop.index }} = {{ ip }}\n{% endfor -%}\nipv6 = {{ slapparameter_dict.get('use-ipv6', 'false') | lower == 'true' }}\n${buildout:parts}\n$${x:y}\n", context: P },
  { name: "conditional sections with set", template: "{% set part_list = [] -%}\n{% for i in range(3) -%}\n{%   set section = 'node-' ~ i -%}\n{%   do part_list.append(section) -%}\n[{{ section }}]\nindex = {{ i }}\n{% endfor -%}\n[buildout]\nparts = {{ part_list | join('\\n  ') }}\n" },
  { name: "nested dict access chain", template: "{% set c = slapparameter_dict.get('nested', {}) %}{{ c.get('a', [])[2].get('b') }} {{ c['a'] | length }} {{ slapparameter_dict.get('empty') or 'fallback' }}", context: P },
  { name: "str on lists of strings as buildout value", template: "{{ ipv4 | sort | list }}|{{ ipv4 | join(' ') }}", context: P },
  { name: "loop over sorted items of dict with format", template: "{% for k, v in slapparameter_dict.items() | sort %}{{ '%-12s = %s' % (k, v) }}\n{% endfor %}", context: P },
  // Errors: both must fail.
  { name: "error: undefined variable printed", template: "{{ nothing }}" },
  { name: "error: undefined attribute printed", template: "{{ slapparameter_dict.nothing }}", context: P },
  { name: "error: undefined in if", template: "{% if nothing %}x{% endif %}" },
  { name: "error: missing key of undefined", template: "{{ nothing.x is defined }}" },
  { name: "error: type error", template: "{{ 'a' + 1 }}" },
  { name: "error: unknown filter", template: "{{ 1 | nosuchfilter }}" },
  { name: "error: syntax", template: "{% if %}" },
  { name: "error: unclosed block", template: "{% for x in y %}" },
  { name: "error: too many macro args", template: "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}" },
  { name: "error: missing include", template: "{% include 'nope' %}" },
  { name: "error: a template imported without context does not see the context", template: "{% import 'lib' as lib %}{{ lib.show() }}", context: P, templates: { lib: "{% macro show() %}{{ name }}{% endmacro %}" } },
  { name: "include without context sees only globals", template: "{% include 'part' without context %}", context: P, templates: { part: "{{ name is defined }} {{ range(2) | list }}" } },
];
