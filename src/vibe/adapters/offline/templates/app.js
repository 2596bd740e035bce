// Behaviour for this page. Plain JavaScript, no build step, no network requests.
{% if game %}
{% include "games/" ~ game ~ ".js" %}
{% else %}
{% include "site.js" %}
{% endif %}
