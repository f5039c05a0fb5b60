/** Published NAB scores on exactly the 34 nab-dev files (standard / low FP / low FN), from ../shared/nab-dev/README.md. */
export const PUBLISHED = [
  { detector: 'ARTime', standard: 80.42, lowFP: 71.61, lowFN: 85.46 },
  { detector: 'contextOSE', standard: 77.16, lowFP: 74.9, lowFN: 79.8 },
  { detector: 'Numenta HTM', standard: 72.76, lowFP: 65.97, lowFN: 76.87 },
  { detector: 'KNN-CAD', standard: 60.4, lowFP: 43.47, lowFN: 67.63 },
  { detector: 'relative entropy', standard: 58.05, lowFP: 51.58, lowFN: 62.08 },
  { detector: 'Twitter ADVec', standard: 56.68, lowFP: 40.69, lowFN: 63.66 },
  { detector: 'random cut forest', standard: 52.41, lowFP: 42.65, lowFN: 60.92 },
  { detector: 'windowed Gaussian', standard: 50.87, lowFP: 31.13, lowFN: 59.02 },
];
