import { OPTION_GROUPS, describeOptionMatrix } from '../helpers/optionMatrix.js';

// One file per group of options: the matrix is the longest part of the suite and two workers share it.
describeOptionMatrix(OPTION_GROUPS.trackingStoreServing);
