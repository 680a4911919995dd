/** Salts that keep the hashed random streams of different quantities apart. */
export const SALT = {
  phase: 1,
  unregistered: 2,
  cloneLoc: 3,
  withRegion: 4,
  segment: 10,
  parking: 20,
  air: 30,
  episode: 31,
  noise: 40,
  cases: 50,
  caseArrivals: 51,
  bad: 60,
} as const
