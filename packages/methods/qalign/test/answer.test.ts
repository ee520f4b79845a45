import { describe, expect, it } from 'vitest';
import { extractAnswer } from '../src/answer.js';

describe('extractAnswer', () => {
  it.each([
    ['18 + 33 = 51. 51 / 3 = 17. The answer is 17.', '17'],
    ['The answer is 1,234.', '1234'],
    ['The answer is 1,234,567 apples', '1234567'],
    ['The answer is -5.', '-5'],
    ['The answer is \u22127.', '-7'],
    ['The answer is -0.', '0'],
    ['The answer is 12.5', '12.5'],
    ['The answer is 12.50.', '12.5'],
    ['The answer is 007.', '7'],
    ['The answer is 3. The answer is 4. The answer is 5.', '5'],
    ['The answer is 42. Then some trailing text without a number', '42'],
    ['The answer is 42, because 6 * 7 = 42.', '42'],
    ['The answer is\n\n  99', '99'],
    ['THE ANSWER IS 8', '8'],
    ['so the answer is 9', '9'],
    ['The answer is 10.5.7', '10.5'],
  ])('%j -> %s', (text, answer) => {
    expect(extractAnswer(text)).toBe(answer);
  });

  it.each([
    ['no marker here: 17'],
    [''],
    ['The answer is'],
    ['The answer is unknown.'],
    ['The answer is 5. The answer is unclear.'],
    ['The answer is - 5'],
    ['The answer is ,5'],
  ])('%j -> undefined', (text) => {
    expect(extractAnswer(text)).toBeUndefined();
  });
});
