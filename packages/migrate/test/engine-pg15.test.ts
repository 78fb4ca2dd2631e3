import { engineSuite } from './engine-suite';

engineSuite(15);
