console.log('rlmscope: not built yet');
