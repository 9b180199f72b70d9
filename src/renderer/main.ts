document.getElementById('root')!.textContent = 'RLMScope';
