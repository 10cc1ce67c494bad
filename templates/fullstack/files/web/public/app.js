// The page's logic: talks to the `todos` service over the bus through exo.js, which the
// `web` frontend serves at /exo.js. No build step: the browser loads these modules as they are.
import {connect} from '/exo.js';

const bus = connect();
const items = new Map(); // id -> item, as the service sent it

const $ = (id) => document.getElementById(id);
const form = $('add-form');
const input = $('new-item');
const list = $('items');

function showError(text) {
  const box = $('error');
  box.textContent = text;
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function render() {
  const sorted = [...items.values()].sort((a, b) => a.id - b.id);
  list.replaceChildren(...sorted.map((item) => {
    const li = document.createElement('li');
    li.dataset.id = item.id;
    const text = document.createElement('span');
    text.textContent = item.text; // text, never HTML: items come from other people
    const del = document.createElement('button');
    del.type = 'button';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', `Delete "${item.text}"`);
    del.addEventListener('click', () => remove(item.id));
    li.append(text, del);
    return li;
  }));
  $('empty').hidden = items.size > 0;
}

// A request to the service. The service refuses a bad request with todo.refused; the bus
// refuses what the role may not send (denied), or when nobody answers (timeout, ...): exo.js
// rejects with an error whose code names the failure. Either way the page says so, and the
// promise gives null.
async function ask(name, payload) {
  try {
    const reply = await bus.request(name, payload, {timeout: 5000});
    if (reply.name === 'todo.refused') {
      showError(`Refused: ${reply.payload.error}`);
      return null;
    }
    clearError();
    return reply.payload;
  } catch (err) {
    showError(`Refused (${err.code || 'error'}): ${err.message}`);
    return null;
  }
}

async function refresh() {
  const listed = await ask('todo.list', {});
  if (listed) {
    items.clear();
    for (const item of listed.items) items.set(item.id, item);
    render();
  }
}

async function remove(id) {
  const done = await ask('todo.delete', {id});
  if (done) {
    items.delete(id);
    render();
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const created = await ask('todo.create', {text: input.value});
  if (created) {
    items.set(created.item.id, created.item);
    input.value = '';
    render();
  }
  input.focus();
});

$('clear').addEventListener('click', async () => {
  if (await ask('todo.clear', {})) {
    items.clear();
    render();
  }
});

// Pushes: every page hears about every change, including its own (the Map makes that harmless).
bus.on('todo.added', (msg) => { items.set(msg.payload.item.id, msg.payload.item); render(); });
bus.on('todo.removed', (msg) => { items.delete(msg.payload.id); render(); });
bus.on('todo.cleared', () => { items.clear(); render(); });

// Online after every (re)connect: the page may have missed pushes meanwhile, so list again.
bus.on('online', () => {
  const status = $('status');
  status.textContent = 'Connected';
  status.classList.remove('offline');
  refresh();
});
bus.on('offline', () => {
  const status = $('status');
  status.textContent = 'Offline: reconnecting…';
  status.classList.add('offline');
});
// Failures that answer no request (e.g. rate-limited) come as error events.
bus.on('error', (e) => showError(`Refused (${e.error}): ${e.message}`));
