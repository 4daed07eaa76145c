/** Docker-style random container names (`adjective_surname`) and name validation. */
import { randomInt } from '../core/random.js';
import { invalidArgument } from '../core/errors.js';

const adjectives = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful',
  'blissful', 'bold', 'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent',
  'condescending', 'confident', 'cool', 'cranky', 'crazy', 'dazzling', 'determined', 'distracted',
  'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'eloquent', 'epic', 'exciting',
  'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted',
  'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry', 'infallible',
  'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless',
  'quirky', 'quizzical', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly',
  'sleepy', 'stoic', 'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting',
  'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful',
  'zealous', 'zen',
];

const surnames = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell',
  'bhabha', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brown', 'carson', 'cerf',
  'chandrasekhar', 'chatelet', 'clarke', 'curie', 'darwin', 'davinci', 'dijkstra', 'dirac', 'einstein',
  'elion', 'engelbart', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin',
  'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hodgkin', 'hopper',
  'hypatia', 'jackson', 'jang', 'jennings', 'johnson', 'kalam', 'kepler', 'khorana', 'knuth',
  'kowalevski', 'lalande', 'lamarr', 'leakey', 'lovelace', 'lumiere', 'mayer', 'mccarthy', 'mclean',
  'meitner', 'mendel', 'merkle', 'morse', 'napier', 'newton', 'nobel', 'noether', 'pare', 'pascal',
  'pasteur', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ritchie', 'rosalind', 'sammet',
  'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swanson', 'tesla', 'thompson', 'torvalds',
  'turing', 'varahamihira', 'visvesvaraya', 'wilbur', 'wiles', 'williams', 'wing', 'wozniak', 'wright',
  'yalow', 'yonath',
];

/** A random `adjective_surname`; `retry` > 0 appends a digit as Docker does. */
export function randomName(retry = 0): string {
  for (;;) {
    const name = `${adjectives[randomInt(adjectives.length)]}_${surnames[randomInt(surnames.length)]}`;
    if (name === 'boring_wozniak') continue; // Steve Wozniak is not boring
    return retry > 0 ? `${name}${randomInt(10)}` : name;
  }
}

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Normalise a user-supplied name (strip one leading `/`) or throw Docker's error. */
export function validateName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { exitCode: 125 });
  }
  return name.replace(/^\//, '');
}
