import { jestProject } from '../../jest.preset.js';

export default jestProject('libs/sdk', 'sdk');
