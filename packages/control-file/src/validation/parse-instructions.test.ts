import { describe, expect, it } from 'vitest';
import { formatControlFileError, parseControlFile } from './parse-control-file.js';
import { NO_USERNAME_RULE_MESSAGE } from './validate-control.js';
import { base, errorsOf, withInstructions } from './parse-control-file.fixture.js';

describe('parseControlFile: instructions', () => {
  it('reports unknown actions and missing properties with instruction paths', () => {
    expect(
      errorsOf(
        withInstructions(
          { action: 'frobnicate' },
          { action: 'set-value', destination: 'user' },
          { action: 'if-exists', source: 'X', then: [{ action: 'field', source: 'A' }] },
        ),
      ),
    ).toEqual([
      { path: '$.instructions[1].action', message: 'Unknown action in instruction: frobnicate' },
      { path: '$.instructions[2]', message: 'Expected property not found in set-value instruction: name, value' },
      {
        path: '$.instructions[3].then[0]',
        message: 'Expected property not found in field instruction: destination, name',
      },
    ]);
  });

  it('requires the properties of every action', () => {
    const actions = [
      ['field-structured', 'structured, destination, name'],
      ['remove-values', 'destination, name'],
      ['if-value-one-of', 'source'],
      ['if-has-value', 'destination, name'],
      ['within', 'source'],
      ['for-each', 'source'],
      ['assert-destination', 'destination, exists'],
      ['abort-record', 'message'],
      ['log-error', 'message'],
    ];
    for (const [action, props] of actions) {
      expect(errorsOf(withInstructions({ action }))).toContainEqual({
        path: '$.instructions[1]',
        message: `Expected property not found in ${action} instruction: ${props}`,
      });
    }
  });

  it('rejects new, load and set-attribute-group', () => {
    const msgs = errorsOf(
      withInstructions(
        { action: 'new', destination: 'profile' },
        { action: 'load', destination: 'profile', using: 'load:by-ref' },
        { action: 'set-attribute-group', source: 'x', destination: 'profile', name: 'y' },
      ),
    );
    expect(msgs.map((m) => m.path)).toEqual([
      '$.instructions[1].action',
      '$.instructions[2].action',
      '$.instructions[3].action',
    ]);
    expect(msgs[0].message).toMatch(/^"new" instructions cannot be used in the haplo:user-sync model/);
    expect(msgs[1].message).toMatch(/^"load" instructions cannot be used/);
    expect(msgs[2].message).toMatch(/^set-attribute-group is not supported/);
  });

  it('reports unknown destinations and names', () => {
    expect(
      errorsOf(
        withInstructions(
          { source: 'A', destination: 'person', name: 'x' },
          { source: 'A', destination: 'user', name: 'shoeSize' },
          { source: 'A', destination: 'profile', name: 'std:attribute:shoe-size' },
          { source: 'A', destination: 'user:tags', name: 'username' },
          { action: 'field-structured', structured: 'value:person-name', destination: 'value:person-name', name: 'x' },
        ),
      ),
    ).toEqual([
      { path: '$.instructions[1].destination', message: 'Unknown destination in field: person' },
      { path: '$.instructions[2].name', message: 'Unknown name in field shoeSize for destination user' },
      {
        path: '$.instructions[3].name',
        message: 'Unknown name in field std:attribute:shoe-size for destination profile',
      },
      {
        path: '$.instructions[4].name',
        message:
          "Unknown name in field username for destination user:tags: the username tag is always the user's username",
      },
      { path: '$.instructions[5].destination', message: 'Unknown destination in field-structured: value:person-name' },
    ]);
  });

  it('accepts free user:tags names', () => {
    expect(errorsOf(withInstructions({ source: 'A', destination: 'user:tags', name: 'anything-goes' }))).toEqual([]);
  });

  it('applies the for-each multivalue rule at any depth', () => {
    const errors = errorsOf(
      withInstructions({
        action: 'for-each',
        source: 'JOBS',
        instructions: [
          { source: 'value', destination: 'profile', name: 'std:attribute:job-title' },
          { source: 'value', destination: 'profile', name: 'std:attribute:job-title', multivalue: true },
          {
            action: 'if-exists',
            source: 'x',
            then: [{ action: 'set-value', destination: 'user', name: 'groups', value: 'g' }],
          },
        ],
      }),
    );
    const message =
      'Assigning values within for-each without a new/load statement or setting multivalue property will result in overwritten data';
    expect(errors).toEqual([
      { path: '$.instructions[1].instructions[0]', message },
      { path: '$.instructions[1].instructions[2].then[0]', message },
    ]);
  });

  it('reports filter and mapping errors', () => {
    expect(
      errorsOf(
        withInstructions(
          { source: 'A', destination: 'user', name: 'email', filters: ['haplo:to-lower-case', 'haplo:nope'] },
          { source: 'A', destination: 'user', name: 'title', filters: 'haplo:to-lower-case' },
          { source: 'A', destination: 'user', name: 'groups', multivalue: true, refMapping: 'nope' },
        ),
      ),
    ).toEqual([
      { path: '$.instructions[1].filters[1]', message: 'Filter haplo:nope is not available.' },
      { path: '$.instructions[2].filters', message: "'filters' property is not an array" },
      { path: '$.instructions[3].refMapping', message: 'Unknown mapping: nope' },
    ]);
  });

  it('validates mapping tables', () => {
    expect(
      errorsOf(
        base({
          mapping: {
            a: { using: 'title', types: ['x'], values: {} },
            b: { values: { X: 3 } },
            c: 'nope',
            d: { using: 'behaviour' },
          },
        }),
      ),
    ).toEqual([
      {
        path: '$.mapping.a.using',
        message:
          'Mapping a uses title mapping, which the user sync cannot do: map values to codes with "using": "behaviour"',
      },
      { path: '$.mapping.b.values.X', message: 'Mapping b must map X to a code (a non-empty string)' },
      { path: '$.mapping.c', message: 'Mapping c must be an object' },
      { path: '$.mapping.d.values', message: 'Mapping d does not specify values' },
    ]);
  });

  it('requires dateFormat for datetime names and checks it', () => {
    expect(
      errorsOf(
        withInstructions(
          { source: 'S', destination: 'profile', name: 'std:attribute:start-date' },
          { source: 'S', destination: 'profile', name: 'std:attribute:end-date', dateFormat: 'yyyy-QQ' },
        ),
      ),
    ).toEqual([
      { path: '$.instructions[1].dateFormat', message: 'Date format not specified for input field S' },
      {
        path: '$.instructions[2].dateFormat',
        message: `Invalid dateFormat for input field S: unsupported letter 'Q' in date format "yyyy-QQ"`,
      },
    ]);
  });

  it('reports a bad set-value constant at validation time', () => {
    expect(
      errorsOf(
        withInstructions({ action: 'set-value', destination: 'profile', name: 'std:attribute:url', value: 'nope' }),
      ),
    ).toEqual([
      { path: '$.instructions[1].value', message: 'Invalid URL for set value profile/std:attribute:url: nope' },
    ]);
  });

  it('checks assert-destination, conditions and nested lists', () => {
    expect(
      errorsOf(
        withInstructions(
          { action: 'assert-destination', destination: 'user', exists: true },
          { action: 'assert-destination', destination: 'nope', exists: true },
          { action: 'if-value-one-of', source: 'R', values: 'A' },
          { action: 'within', source: 'X', instructions: {} },
          { action: 'if-has-value', destination: 'user', name: 'nope' },
          'not an object',
        ),
      ),
    ).toEqual([
      {
        path: '$.instructions[1].destination',
        message: 'Can only use dependent destinations in assert-destination: user',
      },
      { path: '$.instructions[2].destination', message: 'Unknown destination in assert-destination: nope' },
      { path: '$.instructions[3].values', message: "'values' property is not an array" },
      { path: '$.instructions[4].instructions', message: "'instructions' property is not an array" },
      { path: '$.instructions[5].name', message: 'Unknown name in if-has-value nope for destination user' },
      { path: '$.instructions[6]', message: 'Instruction must be an object' },
    ]);
  });

  it('rejects field-structured into a name of the wrong type', () => {
    const [e] = errorsOf(
      withInstructions({
        action: 'field-structured',
        structured: 'value:postal-address',
        destination: 'user',
        name: 'title',
      }),
    );
    expect(e.message).toMatch(/^Couldn't create value transformer for field-structured user\/title/);
    const [f] = errorsOf(
      withInstructions({ action: 'field-structured', structured: 'value:x', destination: 'user', name: 'title' }),
    );
    expect(f).toEqual({
      path: '$.instructions[1].structured',
      message: 'Unknown structured value destination in field-structured: value:x',
    });
  });

  describe('the username rule (hazard H1)', () => {
    const nested = base({
      instructions: [
        { action: 'if-exists', source: 'ID', then: [{ source: 'ID', destination: 'user', name: 'username' }] },
      ],
    });

    it('is a warning on an otherwise valid control file', () => {
      const r = parseControlFile(JSON.stringify(nested));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.controlFile.hasUsernameRule).toBe(false);
      expect(r.controlFile.warnings).toEqual([
        { path: '$.instructions', message: NO_USERNAME_RULE_MESSAGE, code: 'NO_USERNAME_RULE', severity: 'warning' },
      ]);
    });

    it('is an error with requireUsernameRule', () => {
      expect(errorsOf(nested, { requireUsernameRule: true })).toEqual([
        { path: '$.instructions', message: NO_USERNAME_RULE_MESSAGE },
      ]);
    });

    it('has the exact Haplo text', () => {
      expect(NO_USERNAME_RULE_MESSAGE).toBe(
        'No simple rule for extracting username from records. There needs to be a field instruction at the top level (not inside conditionals or loops) for destination:user, name:username',
      );
    });
  });

  it('warns that qualifiers are ignored', () => {
    const r = parseControlFile(
      JSON.stringify(
        withInstructions({
          source: 'P',
          destination: 'profile',
          name: 'std:attribute:telephone',
          qualifier: 'std:qualifier:mobile',
        }),
      ),
    );
    expect(r.ok && r.controlFile.warnings.map((w) => w.path)).toEqual(['$.instructions[1].qualifier']);
  });

  it('formats errors with their path', () => {
    expect(formatControlFileError({ path: '$.x', message: 'bad', code: 'BAD_PROPERTY', severity: 'error' })).toBe(
      '$.x: bad',
    );
  });
});
