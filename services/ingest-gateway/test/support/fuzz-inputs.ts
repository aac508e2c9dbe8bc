/** The malformed values the fuzz generator picks from (fuzz-cases.ts). */

export const BOUNDARY = '----usersyncFuzzBoundary7MA4YWxkTrZu0gW';

export const ODD_CONTENT_TYPES = [
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary="unterminated',
  'multipart/form-data; boundary=wrong',
  `multipart/form-data; boundary=${'x'.repeat(120)}`,
  'multipart/form-data;;; boundary',
  'multipart/mixed; boundary=abc',
  'multipart/form-data; boundary=a b c',
  `multipart/form-data; charset=utf-8; boundary=${BOUNDARY}; boundary=other`,
  'text/plain',
  'application/json',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  '',
  ';',
  '*/*',
  'multipart/',
  'MULTIPART/FORM-DATA; BOUNDARY=' + BOUNDARY,
  'image/png; boundary=' + BOUNDARY,
];

export const BAD_QUERIES = [
  '?name=%ZZ',
  '?name=',
  '?name=users&name=users',
  '?name[]=users',
  '?name=../../etc/passwd',
  '?name=' + 'a'.repeat(3000),
  '?%00=1',
  '?rdr=%E0%A4%A',
  '?rdr=//evil.example',
  '?=&&&=',
];

export const BAD_LIST_QUERIES = [
  '?limit=abc',
  '?limit=-1',
  '?limit=1e3',
  '?limit=1&limit=2',
  '?before=0',
  '?before=%ZZ',
  '?before=99999999999999999999999',
  '?status=bogus',
  '?status=',
  '?status[]=held',
  '?status=held,,',
  '?status=%00',
];

export const BAD_RUN_IDS = ['0', '-1', 'abc', '1.5', '%ZZ', '99999999999999999999', '1%00', "1'--", '%2e%2e'];

export const BAD_START_BODIES: Array<[string, string]> = [
  ['application/json', '{"bad": '],
  ['application/json', '[1,2'],
  ['application/json', '\u0000'],
  ['application/xml', '<sync><unclosed>'],
  ['text/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'],
  ['application/x-www-form-urlencoded', '%ZZ=%'],
  ['application/x-www-form-urlencoded', 'a'.repeat(70_000)],
  ['text/plain', 'hello'],
  ['multipart/form-data', 'garbage'],
  [`multipart/form-data; boundary=${BOUNDARY}`, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\nv`],
];
