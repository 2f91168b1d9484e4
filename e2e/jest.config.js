import { jestProject } from '../jest.preset.js';

export default jestProject('e2e', 'e2e');
