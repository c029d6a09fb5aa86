# Expected outputs for the Python emulations of core/client (pprint, json,
# jsonschema), computed by CPython itself. Run: python3 python-cases.py > python-cases.json
# (CPython 3.11, jsonschema 4.26 when this file was generated).
import json, pprint, sys
import jsonschema

values = [
    '{}', '[]', '"x"', '{"foo": "bar"}',
    '{"b": 1, "a": 2.0, "c": [1, 2.5, true, false, null], "10": "ten", "2": "two"}',
    '{"url": "http://127.0.0.1:8080/", "user": "admin", "password": "' + 'x' * 70 + '"}',
    '{"long": "' + ' '.join(['word%d' % i for i in range(40)]) + '"}',
    '{"nested": {"list": [' + ', '.join('"item-%02d"' % i for i in range(12)) + '], "deep": {"a": {"b": {"c": "' + 'y' * 60 + '"}}}}}',
    '{"multi": "line one\\nline two is here\\n' + 'z' * 90 + '\\nend"}',
    '{"quote": "it\'s \\"quoted\\"", "unicode": "caf\\u00e9 \\u2603 \\ud83d\\ude00", "ctrl": "a\\tb\\u0001"}',
    '{"big": 123456789012345678901234567890, "neg": -5, "small": 1e-7, "large": 1e22, "exp": 1.5e300}',
    '"' + ' '.join(['w%d' % i for i in range(60)]) + '"',
    '[' + ', '.join('"element number %d of a long list"' % i for i in range(6)) + ']',
    '{"k": [' + ', '.join('{"id": %d, "name": "entry-%d"}' % (i, i) for i in range(5)) + ']}',
    '{"' + 'key' * 30 + '": "' + 'value ' * 20 + '"}',
]

pprint_cases = [{"json": v, "pformat": pprint.pformat(json.loads(v))} for v in values]
dumps_cases = [{
    "json": v,
    "indent2": json.dumps(json.loads(v), indent=2),
    "indent2_sorted": json.dumps(json.loads(v), indent=2, sort_keys=True),
    "compact": json.dumps(json.loads(v)),
} for v in values]

bad_json = ['', 'x', '{"a" 1}', '{"a": 1,}', '[1 2]', '{"a": 1} x', '"unterminated', '{a: 1}']
load_errors = []
for text in bad_json:
    try:
        json.loads(text)
        load_errors.append({"json": text, "error": None})
    except json.JSONDecodeError as e:
        load_errors.append({"json": text, "error": str(e)})

schemas = {
    "reference": {
        "$schema": "http://json-schema.org/draft-07/schema",
        "required": ["foo"],
        "properties": {"foo": {"type": "string", "const": "bar"}},
        "additionalProperties": False,
        "type": "object",
    },
    "types": {
        "type": "object",
        "properties": {
            "i": {"type": "integer"}, "n": {"type": "number"}, "s": {"type": "string"},
            "b": {"type": "boolean"}, "a": {"type": "array"}, "o": {"type": "object"},
            "multi": {"type": ["integer", "null"]},
        },
    },
    "limits": {
        "type": "object",
        "properties": {
            "min": {"minimum": 2}, "max": {"maximum": 5}, "xmin": {"exclusiveMinimum": 2},
            "xmax": {"exclusiveMaximum": 5}, "mul": {"multipleOf": 3}, "mulf": {"multipleOf": 0.5},
            "short": {"minLength": 3}, "empty": {"minLength": 1}, "long": {"maxLength": 2}, "none": {"maxLength": 0},
            "pat": {"pattern": "^[a-z]+$"}, "en": {"enum": ["a", "b", 1]},
            "items": {"minItems": 2, "maxItems": 3, "uniqueItems": True, "items": {"type": "string"}},
        },
    },
    "combinators": {
        "type": "object",
        "properties": {
            "any": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "one": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
            "not": {"not": {"type": "string"}},
            "all": {"allOf": [{"minimum": 1}, {"maximum": 3}]},
            "cond": {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}},
        },
        "dependentRequired": {"a": ["b", "c"]},
        "patternProperties": {"^x-": {"type": "string"}},
        "additionalProperties": False,
    },
    "refs": {
        "$schema": "http://json-schema.org/draft-07/schema",
        "definitions": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
        "type": "object",
        "properties": {"port": {"$ref": "#/definitions/port"}, "ports": {"type": "array", "items": {"$ref": "#/definitions/port"}}},
        "required": ["port"],
    },
}
instances = {
    "reference": ['{"foo": "bar"}', '{"foo": "baz"}', '{"fooo": "xxx"}', '{"foo": "bar", "a": 1, "b": 2}', '[]'],
    "types": ['{"i": 1, "n": 1.5, "s": "x", "b": true, "a": [], "o": {}, "multi": null}',
              '{"i": 1.0, "n": "1", "s": 1, "b": 1, "a": {}, "o": [], "multi": "x"}', '{"i": 1.5, "n": true}'],
    "limits": ['{"min": 1, "max": 6, "xmin": 2, "xmax": 5, "mul": 7, "mulf": 0.75, "short": "ab", "empty": "", "long": "abc", "none": "x", "pat": "A1", "en": "c", "items": ["a"]}',
               '{"items": ["a", "a", 1, "b"]}', '{"min": 2, "max": 5.0, "mul": 9, "en": 1, "items": ["a", "b"]}'],
    "combinators": ['{"any": 1.5, "one": 1, "not": "s", "all": 0, "cond": "a", "a": 1, "x-y": 2, "z": 3}',
                    '{"any": "s", "one": 1.5, "not": 1, "all": 2, "cond": 1.5, "a": 1, "b": 2, "c": 3, "x-y": "ok"}'],
    "refs": ['{"port": 0, "ports": [80, 70000, "x"]}', '{"ports": []}', '{"port": 8080}'],
}
schema_cases = []
for name, schema in schemas.items():
    for text in instances[name]:
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = ["%s: %s" % (e.json_path, e.message) for e in validator.iter_errors(json.loads(text))]
        schema_cases.append({"name": name, "schema": json.dumps(schema), "instance": text, "errors": errors})

json.dump({"pprint": pprint_cases, "dumps": dumps_cases, "loadErrors": load_errors, "schema": schema_cases},
          sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
