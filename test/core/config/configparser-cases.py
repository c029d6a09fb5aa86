import configparser, json, sys
cases = {
 "basic": "[slapos]\ncomputer_id = COMP-1\nmaster_url: http://127.0.0.1:8080\nKey_Upper = v\n",
 "continuation": "[s]\nlist =\n  a\n  b\n\n  c\n\n# comment\nnext = 1\n",
 "inline_first": "[s]\nx = first\n    second\n",
 "comments_in_value": "[s]\nx = a\n  # not part\n  b\n",
 "interp": "[DEFAULT]\nroot = /srv\n[s]\nbase = %(root)s/slapgrid\nlog = %(base)s/log\npct = 100%%\n",
 "empty_value": "[s]\nx =\ny = \n",
 "crlf": "[s]\r\nx = 1\r\n  more\r\n",
 "semicolon": "[s]\n; comment\nx = 1 ; not a comment\n",
 "multimaster": "[multimaster/https://slap.example:443/]\nkey = /k\ncert = /c\nsoftware_release_list =\n  http://a\n  http://b\n",
 "spaces_key": "[s]\n  indented = 1\nkey with space = 2\n",
}
errors = {
 "dup_section": "[s]\nx=1\n[s]\ny=2\n",
 "dup_option": "[s]\nx=1\nX=2\n",
 "no_header": "x = 1\n[s]\n",
 "bad_line": "[s]\njust a word\n",
 "bad_interp": "[s]\nx = %(nope)s\n",
 "bad_pct": "[s]\nx = 100%\n",
}
out = {}
for name, text in cases.items():
    p = configparser.ConfigParser()
    p.read_string(text)
    out[name] = {s: dict(p.items(s)) for s in p.sections()}
for name, text in errors.items():
    p = configparser.ConfigParser()
    try:
        p.read_string(text)
        out[name] = {s: dict(p.items(s)) for s in p.sections()}
    except Exception as e:
        out[name] = {"error": type(e).__name__}
print(json.dumps({"cases": cases, "errors": errors, "expected": out}, indent=1))
