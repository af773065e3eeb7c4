import { describe, expect, it } from 'vitest';
import { AppError, formatModelUri, parseModelUri } from '../src';

describe('models:/ URIs', () => {
  it('reads an alias and a version', () => {
    expect(parseModelUri('models:/iris@champion')).toEqual({ model: 'iris', alias: 'champion' });
    expect(parseModelUri('models:/iris/3')).toEqual({ model: 'iris', version: 3 });
    expect(parseModelUri('models:/wine-v2.prod@challenger')).toEqual({
      model: 'wine-v2.prod',
      alias: 'challenger',
    });
  });

  it('round-trips through formatModelUri', () => {
    for (const uri of ['models:/iris@champion', 'models:/iris/12'])
      expect(formatModelUri(parseModelUri(uri))).toBe(uri);
  });

  it.each([
    ['iris@champion', 'not a model URI'],
    ['runs:/abc/model', 'not a model URI'],
    ['models:/', 'not a model URI'],
    ['models:/iris', 'not a model URI'],
    ['models:/iris/', 'not a positive integer'],
    ['models:/iris/0', 'not a positive integer'],
    ['models:/iris/-1', 'not a positive integer'],
    ['models:/iris/1.5', 'not a positive integer'],
    ['models:/iris/01', 'not a positive integer'],
    ['models:/iris/Production', 'stages do not exist here'],
    ['models:/iris/1/extra', 'not a model URI'],
    ['models:/Iris/1', 'invalid model "Iris"'],
    ['models:/../etc/1', 'not a model URI'],
    ['models:/iris@', 'invalid alias'],
    ['models:/iris@a/b', 'invalid alias'],
    ['models:/@champion', 'invalid model'],
    ['models:/' + 'x'.repeat(300), 'longer than 200'],
  ])('refuses %j (%s) with a 400 naming the field', (uri, why) => {
    let caught: unknown;
    try {
      parseModelUri(uri, 'model');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.httpStatus).toBe(400);
    expect(err.message).toContain(why);
    expect(err.details?.[0]?.path).toBe('model');
  });
});
