// The compiled addon; `npm install` builds it with node-gyp (binding.gyp).
module.exports = require('./build/Release/socket_filter.node');
