import { jestProject } from '../../jest.preset.js';

export default jestProject('apps/stages', 'stages');
